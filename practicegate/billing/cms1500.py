"""Paper claims: the CMS-1500 (02/12) claim form as a PDF, one page per claim.

`claims_pdf(claims, form=False)` puts only the data, at the form's places, for printing
on the red pre-printed form; `form=True` also draws the form's boxes and labels, for
plain paper. A claim with more than six lines continues on another page (box 28 then
says CONTINUED, and the last page holds the total). The data is upper case and without
the characters the form's scanners misread, as the NUCC asks (the same cleaning as the
837P file).
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from practicegate.billing.cms1500_layout import (
    BOXES,
    COLUMN,
    DIAGNOSIS_PLACES,
    LINE,
    LINES_PER_PAGE,
    SERVICE_LINES,
    TOP,
    x,
    y,
)
from practicegate.billing.models import BillingSettings, Frequency, TaxIdKind
from practicegate.billing.x12.elements import code, digits, phone, text
from practicegate.billing.x12.writer import load_claims, other_policies, split_name
from practicegate.clients.models import Relationship, Subscriber
from practicegate.masterfiles.models import PayerType

DATA_FONT, LABEL_FONT = "Courier", "Helvetica"
FORM_RED = colors.Color(0.75, 0.1, 0.1)
INSURANCE_TYPE_COLUMN = {PayerType.MEDICARE: 2, PayerType.MEDICAID: 9, PayerType.OTHER: 46}
GROUP_HEALTH_PLAN = 32
RELATIONSHIP_COLUMN = {"self": 32, Relationship.SPOUSE: 37, Relationship.CHILD: 41, Relationship.OTHER: 46}
LETTERS = "ABCDEFGHIJKL"
NOTHING = "There is no claim here that you may bill now."


class _Page:
    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.height = LETTER[1]

    def put(self, line: float, column: float, value, width: int = 0) -> None:
        value = str(value or "")
        if not value:
            return
        if width:
            value = value[:width]
        self.canvas.setFont(DATA_FONT, 10)
        self.canvas.drawString(x(column), y(line, self.height), value)

    def right(self, line: float, last_column: int, value: str) -> None:
        """`value` ending at `last_column` (amounts)."""
        self.put(line, last_column - len(value) + 1, value)

    def mark(self, line: float, column: float) -> None:
        self.put(line, column, "X")

    def date(self, line: float, column: float, value, *, long_year: bool = True) -> None:
        if value:
            self.put(line, column, value.strftime("%m %d %Y" if long_year else "%m %d %y"))


def _draw_form(page: _Page) -> None:
    c = page.canvas
    c.setStrokeColor(FORM_RED)
    c.setFillColor(FORM_RED)
    c.setLineWidth(0.6)
    c.setFont(LABEL_FONT, 11)
    c.drawString(x(1), y(6, page.height), "HEALTH INSURANCE CLAIM FORM")
    c.setFont(LABEL_FONT, 6)
    c.drawString(x(1), y(5, page.height),
                 "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    for label, first, last, column, width in BOXES:
        top_y = page.height - TOP - (first - 1) * LINE
        bottom_y = page.height - TOP - last * LINE
        c.rect(x(column), bottom_y, width * COLUMN, top_y - bottom_y, stroke=1, fill=0)
        c.setFont(LABEL_FONT, 5.5)
        c.drawString(x(column) + 1.5, top_y - 6.5, label)
    for line in SERVICE_LINES:  # each service line's shaded upper half, and the line under it
        bottom_y = page.height - TOP - line * LINE
        c.setFillColor(colors.Color(1, 0.9, 0.9))
        c.rect(x(1), bottom_y + LINE, 79 * COLUMN, LINE, stroke=0, fill=1)
        c.setFillColor(FORM_RED)
        c.line(x(1), bottom_y, x(80), bottom_y)
    c.setFont(LABEL_FONT, 5.5)
    c.drawString(x(1), y(64, page.height), "NUCC Instruction Manual available at: www.nucc.org"
                 "     PLEASE PRINT OR TYPE     APPROVED OMB-0938-1197 FORM 1500 (02-12)")
    c.setFillColor(colors.black)


def _patient_name(client) -> str:
    middle = client.middle_name[:1]
    return text(f"{client.last_name}, {client.first_name}" + (f", {middle}" if middle else ""))


def _other_policy(claim):
    """The client's other policy in effect (box 9): the one with the next priority, or the first."""
    others = other_policies(claim, list(claim.lines.all()))
    others.sort(key=lambda p: (p.priority != (1 if claim.policy.priority > 1 else 2), p.priority, p.pk))
    return others[0] if others else None


def _header(page: _Page, claim, bs: BillingSettings | None) -> None:
    policy, client, payer = claim.policy, claim.client, claim.policy.payer
    self_insured = policy.subscriber == Subscriber.SELF
    for i, value in enumerate((payer.name, payer.address,
                               f"{payer.city} {payer.state} {payer.zip_code}".strip())):
        page.put(2 + i, 50, text(value), 30)
    page.mark(8, INSURANCE_TYPE_COLUMN.get(payer.payer_type, GROUP_HEALTH_PLAN))
    page.put(8, 50, text(policy.member_id), 29)
    page.put(10, 1, _patient_name(client), 28)
    page.date(10, 31, client.birth_date)
    if client.sex in ("M", "F"):
        page.mark(10, 43 if client.sex == "M" else 48)
    if self_insured:
        insured = _patient_name(client)
    else:
        last, first = split_name(policy.subscriber_name)
        insured = text(f"{last}, {first}" if first else last)
    page.put(10, 50, insured, 29)
    page.put(12, 1, text(f"{client.address1} {client.address2}"), 28)
    page.mark(12, RELATIONSHIP_COLUMN.get("self" if self_insured else policy.relationship, 46))
    page.put(14, 1, text(client.city), 23)
    page.put(14, 25, text(client.state), 2)
    page.put(16, 1, digits(client.zip_code), 10)
    page.put(16, 14, phone(client.home_phone or client.mobile_phone), 15)
    if self_insured:
        page.put(12, 50, text(f"{client.address1} {client.address2}"), 29)
        page.put(14, 50, text(client.city), 24)
        page.put(14, 75, text(client.state), 2)
        page.put(16, 50, digits(client.zip_code), 10)
    other = _other_policy(claim)
    if other is not None:
        if other.subscriber == Subscriber.SELF:
            page.put(18, 1, _patient_name(client), 28)
        else:
            last, first = split_name(other.subscriber_name)
            page.put(18, 1, text(f"{last}, {first}" if first else last), 28)
        page.put(20, 1, text(other.member_id), 28)
        page.put(26, 1, text(other.payer.name), 28)
    page.mark(20, 41)  # 10a-c: not related to employment or an accident
    page.mark(22, 41)
    page.mark(24, 41)
    page.put(18, 50, text(policy.group_number), 29)
    birth, sex = ((client.birth_date, client.sex) if self_insured else (policy.subscriber_birth_date, ""))
    page.date(20, 53, birth)
    if sex in ("M", "F"):
        page.mark(20, 69 if sex == "M" else 75)
    page.put(24, 50, text(payer.name), 29)
    page.mark(26, 52 if other is not None else 57)
    page.put(30, 7, "SIGNATURE ON FILE")
    page.put(30, 56, "SIGNATURE ON FILE")
    page.put(38, 40, "0")  # ICD indicator: ICD-10-CM
    for (line, column), value in zip(DIAGNOSIS_PLACES, claim.diagnosis_codes[:12], strict=False):
        page.put(line, column, _dotted(code(value)), 8)
    if claim.frequency in (Frequency.REPLACEMENT, Frequency.VOID):
        page.put(38, 50, claim.frequency)
        reference = claim.original_reference or (claim.original.control_number if claim.original else "")
        page.put(38, 61, text(reference), 19)
    page.put(40, 50, text(claim.prior_authorization), 29)
    _provider(page, claim, bs)


def _dotted(value: str) -> str:
    return f"{value[:3]}.{value[3:]}" if len(value) > 3 else value


def _provider(page: _Page, claim, bs: BillingSettings | None) -> None:
    page.put(58, 23, claim.control_number, 14)
    page.mark(58, 38)  # 27: accept assignment, yes
    if bs is None:
        return
    page.put(58, 1, digits(bs.tax_id), 15)
    page.mark(58, 17 if bs.tax_id_kind == TaxIdKind.SSN else 19)
    signer = (f"{claim.rendering_first_name} {claim.rendering_last_name}" if claim.rendering_npi
              else f"{bs.first_name} {bs.name}")
    page.put(61, 1, text(signer), 21)
    page.put(62, 1, "SIGNATURE ON FILE", 21)
    page.put(59, 66, phone(bs.phone), 14)
    billing_name = text(f"{bs.first_name} {bs.name}" if bs.first_name else bs.name)
    page.put(60, 50, billing_name, 29)
    page.put(61, 50, text(f"{bs.address1} {bs.address2}"), 29)
    zip_code = digits(bs.zip_code)
    page.put(62, 50, text(f"{bs.city} {bs.state} {zip_code[:5]}{'-' + zip_code[5:] if zip_code[5:] else ''}"), 29)
    page.put(63, 51, bs.npi, 10)


def _lines(page: _Page, claim, lines, bs: BillingSettings | None, *, last_page: bool) -> None:
    npi = claim.rendering_npi or (bs.npi if bs else "")
    for place, line in zip(SERVICE_LINES, lines, strict=False):
        page.date(place, 1, line.service_date, long_year=False)
        page.date(place, 10, line.service_date, long_year=False)
        page.put(place, 19, claim.place_of_service, 2)
        page.put(place, 25, code(line.procedure_code), 5)
        for i, modifier in enumerate(line.modifiers[:4]):
            page.put(place, 32 + 3 * i, code(modifier), 2)
        page.put(place, 45, "".join(LETTERS[p - 1] for p in line.pointers if 1 <= p <= 12), 4)
        dollars, cents = f"{line.charge:.2f}".split(".")
        page.right(place, 57, dollars)
        page.put(place, 58, cents, 2)
        page.right(place, 62, str(line.units))
        page.put(place, 68, npi, 10)
    if last_page:
        dollars, cents = f"{sum((line.charge for line in claim.lines.all()), start=0):.2f}".split(".")
        page.right(58, 57, dollars)
        page.put(58, 58, cents, 2)
    else:
        page.put(58, 51, "CONTINUED", 9)


def claims_pdf(claims, *, form: bool) -> bytes:
    """The claims' CMS-1500 pages as a PDF (the caller has opened the scope that reaches them)."""
    rows = load_claims(claims)
    settings = {s.account_id: s for s in
                BillingSettings.objects.filter(account_id__in={c.account_id for c in rows})}
    out = BytesIO()
    canvas = Canvas(out, pagesize=LETTER, pageCompression=1)
    canvas.setTitle("CMS-1500 claim forms" if form else "CMS-1500 claim data for the red form")
    canvas.setCreator("PracticeGate")
    for claim in rows:
        lines = list(claim.lines.all())
        chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            page = _Page(canvas)
            if form:
                _draw_form(page)
            _header(page, claim, settings.get(claim.account_id))
            _lines(page, claim, chunk, settings.get(claim.account_id), last_page=number == len(chunks))
            if len(chunks) > 1:
                page.put(36, 1, f"PAGE {number} OF {len(chunks)}", 20)
            canvas.showPage()
    if not rows:
        canvas.setFont(LABEL_FONT, 12)
        canvas.drawString(x(1), y(6, LETTER[1]), NOTHING)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
