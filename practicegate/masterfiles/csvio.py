"""The master files in and out of CSV: the check of each row, the export's cells.

Reading the file is records.csvfiles': every row is validated with the same form the add
page uses. Import is all or nothing (records.imports); export streams rows, formula-like
cells defused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from practicegate.masterfiles.kinds import Kind
from practicegate.records.csvfiles import ParsedFile, csv_lines, parse_rows

_TRUE = {"", "yes", "y", "true", "1", "active"}
_FALSE = {"no", "n", "false", "0", "inactive"}


def _active(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def parse(kind: Kind, data: bytes) -> ParsedFile:
    """Validate every row of `data`; raise FileRefused if the file itself is unusable."""
    seen: dict[str, int] = {}
    return parse_rows(data, columns=kind.csv_columns, required=kind.csv_required,
                      parse_row=lambda names, raw, line, result: _parse_row(kind, names, raw, line, result, seen))


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


def export_lines(kind: Kind, rows: Iterable) -> Iterator[str]:
    """CSV lines for `rows` (model instances), header first, for a streaming response."""
    def cells(row):
        for name in kind.csv_columns:
            value = getattr(row, name)
            yield ("yes" if value else "no") if name == "active" else value

    return csv_lines(kind.csv_columns, (cells(row) for row in rows))
