"""Draw a client's access report (access_report.Report) as a PDF, with reportlab.

The text is real text (an embedded TrueType font, Bitstream Vera, shipped with reportlab),
so a PDF reader can search and copy it, and the tests read it back with pypdf.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.flowables import KeepTogether

from practicegate.core.localtime import day_text, when_text

FONT, BOLD = "PGVera", "PGVeraBold"

INTACT = "The account's activity log verified intact when this report was made."
NOT_INTACT = "The account's activity log did NOT verify when this report was made."


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceAfter=6),
        "body": body,
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cellhead": ParagraphStyle("cellhead", parent=body, fontName=BOLD, fontSize=8.5, leading=10.5),
    }


def _esc(value) -> str:
    """Text for a Paragraph (which reads a little markup): <, > and & shown as they are."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verification_text(check) -> list[str]:
    """The statement about the log's chain, and what it means."""
    if check.intact:
        return [INTACT,
                f"Every event of the account's log up to number {check.through_seq} (all there were at that "
                "moment) was re-computed link by link"
                + (" and held to the log's signed checkpoints" if check.checkpoints else
                   " (the signed checkpoints were not checked: this server holds no public key for them)")
                + ": none was edited, removed, inserted or reordered, so the list below is complete for "
                "these dates."]
    return [NOT_INTACT,
            f"Checking events up to number {check.through_seq} found a break: {check.problem}. "
            "Some event of the log was edited, removed, inserted or reordered after it was written, so this "
            "list may be incomplete or altered. Report this to the practice's security officer; the "
            "command `practicegate audit verify` names every problem."]


def render(report) -> bytes:
    _fonts()
    s = _styles()
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(LETTER), leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch,
                            title=f"Access report: client {report.client_number}", author="PracticeGate",
                            subject=f"Access report of {report.account_name}")
    period = f"{day_text(report.start)} to {day_text(report.end)}"
    story = [
        Paragraph("Client access report", s["title"]),
        Paragraph(f"Account: {_esc(report.account_name)}", s["body"]),
        Paragraph(f"Client: {_esc(report.client_name)} (client number {report.client_number})", s["body"]),
        Paragraph(f"Dates: {period}, both included", s["body"]),
        Paragraph(f"Times are in the {_esc(report.zone)} time zone.", s["body"]),
        Paragraph(f"Made on {when_text(report.made_at)} by {_esc(report.made_by)} "
                  f"(activity log event {report.event_seq}).", s["body"]),
        Spacer(1, 6),
    ]
    statement, meaning = verification_text(report.check)
    story.append(KeepTogether([Paragraph(_esc(statement), s["head"]), Paragraph(_esc(meaning), s["body"])]))
    story.append(Paragraph(f"Every view and change of this client's record: {_count(report.rows)}, oldest first",
                           s["head"]))
    story.append(Spacer(1, 4))
    story.append(_table(report.rows, s) if report.rows else
                 Paragraph("Nobody viewed or changed this client's record in these dates.", s["body"]))
    story.append(Paragraph(f"Lists and searches that showed this client, and exports of the client list: "
                           f"{_count(report.lists)}, oldest first", s["head"]))
    story.append(Paragraph("A list or search shows a client's name, number and date of birth; an export of "
                           "the client list holds every client of the status chosen.", s["body"]))
    story.append(Spacer(1, 4))
    story.append(_table(report.lists, s) if report.lists else
                 Paragraph("No list, search or export showed this client in these dates.", s["body"]))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(0.6 * inch, 0.35 * inch,
                          f"Access report of client {report.client_number}, {_plain(report.account_name)}, "
                          f"{period}. Page {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _count(rows) -> str:
    return f"{len(rows)} {'event' if len(rows) == 1 else 'events'}"


def _table(rows, s) -> LongTable:
    head = [Paragraph(t, s["cellhead"]) for t in ("#", "When", "Username", "From (IP address)", "What")]
    body = [[Paragraph(str(r.seq), s["cell"]), Paragraph(when_text(r.at), s["cell"]),
             Paragraph(_esc(r.username), s["cell"]), Paragraph(_esc(r.ip), s["cell"]),
             Paragraph(_esc(r.what), s["cell"])] for r in rows]
    table = LongTable([head, *body], repeatRows=1, colWidths=[0.6 * inch, 1.55 * inch, 1.6 * inch, 1.4 * inch, None])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _plain(value: str) -> str:
    return value.replace("\n", " ")[:80]
