"""One importer interface drives every import: clients and payers refuse files alike and log alike."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.clients.imports import CLIENTS
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.importers import IMPORTERS as MASTER_FILES
from practicegate.records import imports
from practicegate.records.csvfiles import parse_rows
from practicegate.records.imports import IMPORTERS, Importer
from practicegate.records.models import PendingImport
from tests.helpers import rows_everywhere

pytestmark = pytest.mark.django_db

# (importer, a header it accepts, one valid row, the action prefix of its events)
KINDS = {
    "clients": (CLIENTS, "first_name,last_name,birth_date,sex", "Ana,Lima,1990-01-01,F", "client"),
    "payer": (MASTER_FILES["payer"], "name,payer_id", "Blue Shield,BS001", "payer"),
}
REFUSED = {
    "empty": (lambda header: b"", "The file is empty."),
    "binary": (lambda header: b"PK\x03\x04\x00\x00", "This is not a CSV text file (it contains binary data)."),
    "not UTF-8": (lambda header: b"\xff\xfename\n", "The file is not UTF-8 text (unreadable byte at position 0)."),
    "no rows": (lambda header: (header + "\n").encode(), "The file has a header but no rows."),
}


def import_url(importer, account, name="import") -> str:
    return reverse(importer.url_name(name), kwargs={"account": account.slug})


def post(http, importer, account, data: bytes):
    return http.post(import_url(importer, account), {"file": SimpleUploadedFile("file.csv", data)})


def last_preview_event(account, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(account=account, action=f"{action}.import_preview").latest("seq")


def test_every_importer_is_registered_under_the_key_of_its_url():
    assert IMPORTERS["clients"] is CLIENTS
    for key in ("diagnosis", "billing", "payer"):
        assert IMPORTERS[key] is MASTER_FILES[key]
    assert all(isinstance(importer, Importer) for importer in IMPORTERS.values())


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_clients_and_payers_refuse_a_file_with_the_same_reason_and_the_same_event(owner_client, owner_account,
                                                                                   case):
    make, reason = REFUSED[case]
    seen = {}
    for key, (importer, header, _row, action) in KINDS.items():
        data = make(header)
        response = post(owner_client, importer, owner_account, data)
        assert response.status_code == 400
        assert [t.name for t in response.templates][0] == "records/import.html"
        refused = response.context["preview"].refused
        assert refused.startswith(reason), refused
        event = last_preview_event(owner_account, action)
        assert event.outcome == Outcome.FAILURE and event.section == importer.section
        assert event.detail.pop("bytes") == len(data)
        seen[key] = (refused, event.detail)
    assert seen["clients"] == seen["payer"]  # the same words, the same log block
    assert not rows_everywhere(PendingImport).exists()


def test_a_valid_file_of_either_kind_writes_the_same_log_block(owner_client, owner_account):
    details = {}
    for key, (importer, header, row, action) in KINDS.items():
        data = f"{header}\n{row}\n".encode()
        response = post(owner_client, importer, owner_account, data)
        assert response.status_code == 302
        assert response["Location"].startswith(import_url(importer, owner_account, "import-preview") + "?token=")
        event = last_preview_event(owner_account, action)
        assert event.outcome == Outcome.SUCCESS
        assert event.target_type == importer.target_type
        details[key] = {k: v for k, v in event.detail.items() if k != "bytes"}
        preview = owner_client.get(response["Location"])
        assert preview.status_code == 200 and [t.name for t in preview.templates][0] == "records/import.html"
        confirmed = owner_client.post(import_url(importer, owner_account, "import-confirm"),
                                      {"token": preview.context["preview"].token})
        assert confirmed["Location"] == reverse(importer.url_name("list"), kwargs={"account": owner_account.slug})
        done = AuditEvent.objects.get(account=owner_account, action=f"{action}.import")
        assert {k: done.detail[k] for k in ("rows", "added", "existing")} == {"rows": 1, "added": 1, "existing": 0}
    assert details["clients"] == details["payer"] == {
        "refused": False, "rows": 1, "bad_rows": 0, "new": 1, "existing": 0, "previews_removed": 0}


class Letters(Importer):
    """A kind made up for the test: one column, rows known when the letter is upper case."""

    # Its events borrow the clients' registered action codes: the log accepts no unregistered code.
    key, section, action, namespace = "letters", "clients", "client", "clients"
    title, noun, columns, required = "Letters", "letter", ("letter",), ("letter",)
    help_template = "clients/_import_help.html"

    def __init__(self):
        self.inserted = []

    def parse(self, data):
        return parse_rows(data, columns=self.columns, required=self.required,
                          parse_row=lambda names, raw, line, result: result.rows.append({"letter": raw[0]}))

    def known(self, account):
        return {"A", "B"}

    def is_known(self, row, known):
        return row["letter"] in known

    def insert(self, *, actor, account, rows, context=None):
        self.inserted += rows
        return {"added": len(rows)}


def test_the_pipeline_needs_nothing_but_the_interface(owner_account, owner):
    letters = Letters()
    with account_scope(owner_account):
        preview = imports.import_preview(actor=owner, account=owner_account, importer=letters,
                                         data=b"letter\nA\nc\nd\n")
        assert preview.ok and [r["letter"] for r in preview.new_rows] == ["c", "d"]
        assert [r["letter"] for r in preview.existing_rows] == ["A"]
        kept = imports.import_kept(actor=owner, account=owner_account, importer=letters, token=preview.token)
        assert kept is not None and kept.token == preview.token
        counts = imports.import_confirm(actor=owner, account=owner_account, importer=letters, token=preview.token)
    assert counts == {"rows": 3, "added": 2, "existing": 1}
    assert [r["letter"] for r in letters.inserted] == ["c", "d"]
    assert AuditEvent.objects.get(account=owner_account, action="client.import").detail == counts
