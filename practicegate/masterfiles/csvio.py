"""CSV in and out of the master files.

Import is all or nothing: the whole file is parsed and every row validated with the
same form the add page uses before anything is written. Export streams rows and
defuses cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from practicegate.masterfiles.kinds import Kind
from practicegate.masterfiles.validators import looks_like_formula

MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 1000
_TRUE = {"", "yes", "y", "true", "1", "active"}
_FALSE = {"no", "n", "false", "0", "inactive"}


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


def _header(kind: Kind, raw: list[str]) -> list[str]:
    names = [h.strip().lower().replace(" ", "_") for h in raw]
    unknown = [n for n in names if n not in kind.csv_columns]
    missing = [n for n in kind.csv_required if n not in names]
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
            + ". Expected: " + ", ".join(kind.csv_columns) + "."
        )
    return names


def _active(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def parse(kind: Kind, data: bytes) -> ParsedFile:
    """Validate every row of `data`; raise FileRefused if the file itself is unusable."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise FileRefused("The file is empty.")
        columns = _header(kind, header)
        result = ParsedFile()
        seen: dict[str, int] = {}
        line = reader.line_num + 1
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                line = reader.line_num + 1
                continue  # blank lines are harmless
            if len(result.rows) + result.error_count >= MAX_ROWS:
                raise FileRefused(f"The file has more than {MAX_ROWS:,} rows; split it.")
            _parse_row(kind, columns, raw, line, result, seen)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"The file is not valid CSV near line {reader.line_num}: {exc}.") from None
    if not result.rows and not result.error_count:
        raise FileRefused("The file has a header but no rows.")
    return result


def _parse_row(kind, columns, raw, line, result: ParsedFile, seen: dict) -> None:
    if len(raw) != len(columns):
        result.error(line, f"has {len(raw)} cells; the header has {len(columns)}")
        return
    # Cells go to the form as they are: it normalises them first and then refuses formulas.
    values, problems = dict(zip(columns, raw, strict=True)), []
    active = _active(values.pop("active", ""))
    for name, form_field in kind.form_class.base_fields.items():
        values.setdefault(name, form_field.initial or "")  # optional columns left out
    form = kind.form_class(data=values)
    form.is_valid()
    problems += [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in form.errors.items()]
    if active is None:
        problems.append("active must be yes or no")
    if problems:
        result.error(line, "; ".join(problems))
        return
    row = dict(form.cleaned_data, active=active, line=line)
    key = row.get(kind.natural_key, "")
    if key:
        if key in seen:
            result.error(line, f"{kind.natural_key} repeats line {seen[key]}")
            return
        seen[key] = line
    result.rows.append(row)


# --- export ---------------------------------------------------------------------

def defuse(value) -> str:
    """Text a spreadsheet shows as text: formula-looking cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def export_lines(kind: Kind, rows: Iterable) -> Iterator[str]:
    """CSV lines for `rows` (model instances), header first, for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(kind.csv_columns)  # BOM: spreadsheets then read UTF-8
    for row in rows:
        cells = []
        for name in kind.csv_columns:
            value = getattr(row, name)
            if name == "active":
                value = "yes" if value else "no"
            cells.append(defuse(value))
        yield writer.writerow(cells)
