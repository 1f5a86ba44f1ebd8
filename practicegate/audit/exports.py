"""Export the activity log as CSV or as FHIR R4 AuditEvent resources (NDJSON), streamed.

An export is itself an event (`audit.export`, with the count), written before the
first byte leaves: rows are bounded by the chain's sequence number at that moment,
so the count recorded is the count sent. The first byte leaves only once those rows
are on disk (`stream`, durability.wait_until_durable()).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC

import orjson
from django.db import transaction

from practicegate.audit.actions import ACTIONS
from practicegate.audit.durability import wait_until_durable
from practicegate.audit.fhir import audit_event_resource
from practicegate.audit.models import AuditChain
from practicegate.audit.selectors import EventFilter, account_events
from practicegate.audit.services import record

FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"), "fhir": ("application/fhir+ndjson", "ndjson")}
# Exports are for machines and other systems: times stay UTC, ISO 8601 with their +00:00
# offset, and the column's name says so (pages show local time, core.localtime).
CSV_COLUMNS = ["seq", "at_utc", "username", "user_id", "channel", "action", "action_label", "section",
               "target_type", "target_id", "outcome", "ip", "user_agent", "request_id", "detail", "hash"]
# Spreadsheet programs run a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

@transaction.atomic
def audit_export(*, actor, account, flt: EventFilter, fmt: str, context=None, channel=None,
                 actor_username=None):
    """Record the export and return (count, queryset of the rows to send, oldest first)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    upto = AuditChain.objects.filter(account=account).values_list("seq", flat=True).first() or 0
    rows = account_events(account, flt).filter(seq__lte=upto)
    count = rows.count()
    record("audit.export", account=account, actor=actor, context=context, channel=channel,
           actor_username=actor_username, section="reports",
           detail={"format": fmt, "count": count, "filters": flt.used(), "up_to_seq": upto})
    return count, rows.order_by("seq")

def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text

def csv_lines(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # BOM: spreadsheets then read the UTF-8 (accented names) correctly
    writer.writerow(CSV_COLUMNS)
    for event in rows.iterator(chunk_size=CHUNK):
        writer.writerow([
            event.seq, event.at.astimezone(UTC).isoformat(), safe_cell(event.actor_username), event.actor_id or "",
            event.channel, safe_cell(event.action), safe_cell(ACTIONS.get(event.action, "")),
            safe_cell(event.section), safe_cell(event.target_type), safe_cell(event.target_id),
            event.outcome, safe_cell(event.ip), safe_cell(event.user_agent), safe_cell(event.request_id),
            safe_cell(orjson.dumps(event.detail, option=orjson.OPT_SORT_KEYS).decode()), event.hash,
        ])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()

def fhir_lines(rows, account):
    for event in rows.iterator(chunk_size=CHUNK):
        yield orjson.dumps(audit_event_resource(event, account)) + b"\n"


def stream(fmt: str, rows, account):
    """The export's lines, once every row it sends is on disk."""
    # audit_export() read the chain's head (and its own event's commit is synchronous when
    # it is the outermost transaction); the first byte waits until the WAL is flushed past
    # that read, whatever transaction the caller streams in (durability.py).
    wait_until_durable()
    yield from csv_lines(rows) if fmt == "csv" else fhir_lines(rows, account)
