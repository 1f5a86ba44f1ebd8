"""Clients in and out of CSV files: the columns, the check of each row, the export's cells.

Reading the file (UTF-8, the header, blank lines, size, cells a spreadsheet would run as
formulas) is records.csvfiles', so every import refuses a malformed file alike. Each row is checked with the form the Add Client page uses
(forms.ClientForm), and every reason a row is refused is reported with its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils import timezone

from practicegate.clients.duplicates import identity
from practicegate.clients.fields import DATE_FORMATS
from practicegate.clients.forms import ClientForm
from practicegate.clients.models import Sex, Status
from practicegate.records import csvfiles as shared
from practicegate.records.csvfiles import ParsedFile

DEMOGRAPHICS = tuple(ClientForm.base_fields)
# A client number is assigned here, never taken from a file: the column is accepted (so an
# export imports into another account as it is) and ignored.
IGNORED = ("client_number",)
EXPORT_COLUMNS = ("client_number", *DEMOGRAPHICS, "status", "discharge_date")
IMPORT_COLUMNS = EXPORT_COLUMNS
REQUIRED = ("first_name", "last_name", "birth_date", "sex")
_SEX = {**{s.value.lower(): s.value for s in Sex}, **{s.label.lower(): s.value for s in Sex}}
_STATUS = {"": Status.ACTIVE, **{s.value: s.value for s in Status}}


def _date(raw: str):
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _status(values: dict, problems: list[str]) -> tuple[str, object]:
    status = _STATUS.get(values.pop("status", "").strip().lower())
    raw_date = values.pop("discharge_date", "").strip()
    discharged = _date(raw_date) if raw_date else None
    if status is None:
        problems.append("status: use active or discharged")
        return Status.ACTIVE, None
    if raw_date and discharged is None:
        problems.append("discharge_date: Enter a date as YYYY-MM-DD or MM/DD/YYYY.")
    elif status == Status.DISCHARGED and discharged is None:
        problems.append("discharge_date: a discharged client needs the discharge date")
    elif status == Status.ACTIVE and discharged is not None:
        problems.append("discharge_date: an active client has no discharge date (or set status to discharged)")
    elif discharged is not None and discharged > timezone.localdate():
        problems.append("discharge_date: cannot be in the future")
    return status, discharged


def _check_row(names: list[str], raw: list[str], line: int, result: ParsedFile, seen: dict) -> None:
    if len(raw) != len(names):
        result.error(line, f"has {len(raw)} cells; the header has {len(names)}")
        return
    values, problems, refused = {}, [], set()
    for name, cell in zip(names, raw, strict=True):
        value, refusal = shared.cell_value(cell)
        if refusal:
            problems.append(f"{name} {refusal}")
            refused.add(name)
        # A cell kept as text by its apostrophe reaches the form as typed: the form refuses
        # formulas too, and takes the apostrophe off again (export and import round-trip).
        values[name] = value if refusal else shared.defuse(value)
    for name in IGNORED:
        values.pop(name, None)
    status, discharged = _status(values, problems)
    form_data = {name: values.get(name, "") for name in DEMOGRAPHICS}
    form_data["sex"] = _SEX.get(form_data["sex"].strip().lower(), form_data["sex"])
    form_data["state"] = form_data["state"].strip().upper()
    form = ClientForm(data=form_data)
    if not form.is_valid():
        for name, errors in form.errors.as_data().items():
            # a cell refused above as a formula is not reported twice for the same reason
            messages = [m for e in errors if not (name in refused and e.code == "formula") for m in e.messages]
            if messages:
                problems.append(f"{name}: {' '.join(messages)}")
    if problems:
        result.error(line, "; ".join(problems))
        return
    row = dict(form.cleaned_data, status=status, discharge_date=discharged, line=line)
    if discharged is not None and discharged < row["intake_date"]:
        result.error(line, "discharge_date: is before the intake date (today when intake_date is empty)")
        return
    key = identity(row["first_name"], row["last_name"], row["birth_date"])
    if key in seen:
        result.error(line, f"the same client (name and date of birth) as line {seen[key]}")
        return
    seen[key] = line
    result.rows.append(row)


def parse(data: bytes) -> ParsedFile:
    """Check every row of `data`; raise FileRefused if the file itself is unusable."""
    seen: dict = {}
    return shared.parse_rows(data, columns=IMPORT_COLUMNS, required=REQUIRED,
                             parse_row=lambda names, raw, line, result: _check_row(names, raw, line, result, seen))


def export_lines(clients: Iterable) -> Iterator[str]:
    """CSV lines of `clients`, header first (UTF-8 BOM, formula-like cells defused)."""
    def cells(client):
        for name in EXPORT_COLUMNS:
            value = client.number if name == "client_number" else getattr(client, name)
            yield value.isoformat() if hasattr(value, "isoformat") else value

    return shared.csv_lines(EXPORT_COLUMNS, (cells(c) for c in clients))
