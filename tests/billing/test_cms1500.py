"""The CMS-1500 PDF: a page per claim (six lines a page), the data where the form wants it."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from practicegate.billing.cms1500 import claims_pdf
from practicegate.core.scoping import account_scope
from tests.billing.factories import claim_shapes, payer, person, policy, ready_claim, shape_claims


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def test_one_page_per_claim_with_its_data(billing):
    account, house = billing
    made = claim_shapes(account)
    with account_scope(account):
        pdf = claims_pdf(shape_claims(made), form=False)
        plain = claims_pdf([made["twelve"]], form=True)
    pages = pages_text(pdf)
    assert len(pages) == 5
    adult, child, secondary, modifiers, twelve = pages
    assert "LEE, JORDAN" in adult and "XJ1234567" in adult and "AUTH 123 X" in adult
    assert "SIGNATURE ON FILE" in adult and "F32.9" in adult
    assert "ORTIZ, SAM" in child and "ORTIZ, MARIA" in child  # the child and the parent who holds the policy
    assert "MEDICARE PART B" in secondary and "1EG4TE5MK73" in secondary  # box 9: the other policy
    assert "95" in modifiers and "GT" in modifiers and "HO" in modifiers and "59" in modifiers
    assert all(value in twelve for value in ("F32.9", "F31.9", "G47.00", "ABCD", "LKJI"))
    assert "AVERY KIM" in twelve and made["twelve"].rendering_npi in twelve
    assert "400" in twelve and f"PG{account.pk}C5" in twelve
    assert "HEALTH INSURANCE CLAIM FORM" not in adult  # the red form has its own boxes
    drawn = pages_text(plain)[0]
    assert "HEALTH INSURANCE CLAIM FORM" in drawn and "1a. INSURED'S I.D. NUMBER" in drawn
    assert "MULLER-NUNEZ, CHRIS" in drawn


def test_more_than_six_lines_continue_on_another_page(billing):
    account, house = billing
    client = person(account)
    lines = [{"code": "90837", "charge": f"{100 + n}.00"} for n in range(8)]
    claim = ready_claim(client, policy(client, payer(account)), lines=lines)
    with account_scope(account):
        first, second = pages_text(claims_pdf([claim], form=False))
    assert "CONTINUED" in first and "PAGE 1 OF 2" in first
    assert "PAGE 2 OF 2" in second and "828\n00" in second  # the total, on the last page only
    assert "828" not in first
    assert first.count("90837") == 6 and second.count("90837") == 2


def positions(pdf: bytes) -> dict[str, list[tuple[float, float]]]:
    """Where each piece of text starts on the first page (points from the bottom left)."""
    found: dict[str, list] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.setdefault(text.strip(), []).append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def box(label_start: str):
    from reportlab.lib.pagesizes import LETTER

    from practicegate.billing.cms1500_layout import BOXES, COLUMN, LINE, TOP, x
    label, first, last, column, width = next(b for b in BOXES if b[0].startswith(label_start))
    return (x(column), LETTER[1] - TOP - last * LINE, x(column) + width * COLUMN,
            LETTER[1] - TOP - (first - 1) * LINE)


def test_the_data_sits_inside_the_forms_boxes(billing):
    account, house = billing
    made = claim_shapes(account)
    with account_scope(account):
        pdf = claims_pdf([made["adult"]], form=False)
    at = positions(pdf)
    for value, label in [("XJ1234567", "1a."), ("LEE, JORDAN", "2."), ("03 09 1985", "3."),
                         ("AUTH 123 X", "23."), ("F32.9", "21."), ("90837", "24."), ("150", "28."),
                         (f"PG{account.pk}C1", "26."), ("SUNRISE COUNSELING", "33.")]:
        left, bottom, right, top = box(label)
        assert any(left <= px < right and bottom <= py < top for px, py in at[value]), (
            value, label, at[value], (left, bottom, right, top))
