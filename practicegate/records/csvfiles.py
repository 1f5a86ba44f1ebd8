"""Reading and writing CSV files, once for every import and export.

Reading refuses a file that is not usable as a whole (empty, binary, not UTF-8, a header
that does not name the importer's columns, too many rows, broken quoting) with a message
for the user, and hands each non-blank row to the importer's row check. Writing defuses
cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from practicegate.core.text import defuse, looks_like_formula, not_a_formula

__all__ = ["FileRefused", "ParsedFile", "RowError", "cell_value", "csv_lines", "defuse", "looks_like_formula",
           "not_a_formula", "parse_rows"]

MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 1000


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)  # cleaned values, with "line"
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, message))


def _decode(data: bytes) -> str:
    if not data.strip():
        raise FileRefused("The file is empty.")
    if b"\x00" in data[:65536]:
        raise FileRefused("This is not a CSV text file (it contains binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"The file is not UTF-8 text (unreadable byte at position {exc.start}). "
            "Save it as \"CSV UTF-8\" and upload it again."
        ) from None


def _header(columns: tuple[str, ...], required: tuple[str, ...], raw: list[str]) -> list[str]:
    names = [h.strip().lower().replace(" ", "_") for h in raw]
    unknown = [n for n in names if n not in columns]
    missing = [n for n in required if n not in names]
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        shown = ", ".join(repr(n[:30]) for n in unknown[:5])
        problems.append(f"unknown column(s): {shown}")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.append("repeated column(s): " + ", ".join(dupes))
    if problems:
        raise FileRefused(
            "The first line must name the columns. This file has "
            + "; ".join(problems)
            + ". Expected: " + ", ".join(columns) + "."
        )
    return names


def parse_rows(data: bytes, *, columns: tuple[str, ...], required: tuple[str, ...],
               parse_row: Callable[[list[str], list[str], int, ParsedFile], None]) -> ParsedFile:
    """Read a CSV file whose first line names some of `columns` (all of `required`).

    `parse_row(names, cells, line, result)` checks each non-blank row and adds it to
    result.rows or reports it with result.error(line, reasons). Raise FileRefused if the
    file itself is unusable."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise FileRefused("The file is empty.")
        names = _header(columns, required, header)
        result = ParsedFile()
        line = reader.line_num + 1
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                line = reader.line_num + 1
                continue  # blank lines are harmless
            if len(result.rows) + result.error_count >= MAX_ROWS:
                raise FileRefused(f"The file has more than {MAX_ROWS:,} rows; split it.")
            parse_row(names, raw, line, result)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"The file is not valid CSV near line {reader.line_num}: {exc}.") from None
    if not result.rows and not result.error_count:
        raise FileRefused("The file has a header but no rows.")
    return result


def cell_value(text: str) -> tuple[str, str | None]:
    """The cell's value and, if it would run as a spreadsheet formula, why it is refused.

    Checked as the forms check it (not_a_formula), after stripping the leading spaces that
    would otherwise hide a formula. A leading apostrophe before a formula character is how
    our export keeps such text inert; it is removed again so export and import round-trip."""
    try:
        return not_a_formula(text.strip()), None
    except ValidationError as exc:
        reason = exc.messages[0]
        return text, reason[:1].lower() + reason[1:]


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV lines, header first, every cell defused, for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # BOM: spreadsheets then read UTF-8
    for cells in rows:
        yield writer.writerow([defuse(value) for value in cells])
