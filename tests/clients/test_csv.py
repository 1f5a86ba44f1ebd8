"""Clients in and out of CSV: an all-or-nothing previewed import, an export only Full Access may take."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from practicegate.audit.models import AuditChain, AuditEvent, Outcome
from practicegate.audit.verify import verify_chain
from practicegate.clients.models import Client, ClientChange, ClientCounter
from practicegate.core.scoping import account_scope
from practicegate.records.models import PendingImport
from tests.clients.helpers import make_client, url
from tests.helpers import add_member, login_client, make_user, rows_everywhere

pytestmark = pytest.mark.django_db
HEADER = "first_name,last_name,birth_date,sex,mobile_phone,state,zip_code,intake_date,status,discharge_date\n"


def post_upload(http, account, content: bytes | str, name="clients.csv"):
    data = content.encode() if isinstance(content, str) else content
    return http.post(url(account, "import"), {"file": SimpleUploadedFile(name, data)})


def upload(http, account, content: bytes | str, name="clients.csv"):
    """Upload; a kept file must redirect to its preview page, which is then opened (a refused
    file answers its 400 page directly)."""
    response = post_upload(http, account, content, name)
    if response.status_code == 302:
        assert response["Location"].startswith(url(account, "import-preview") + "?token=")
        response = http.get(response["Location"])
    elif response.status_code == 200:  # every row valid but nothing new: nothing kept, nothing to confirm
        assert not response.context["preview"].new_rows and not response.context["preview"].token
    return response


def confirm(http, account, response):
    return http.post(url(account, "import-confirm"), {"token": response.context["preview"].token})


def clients_of(account):
    with account_scope(account):
        return list(Client.objects.filter(account=account).order_by("number"))


def export_table(http, account, **params):
    response = http.get(url(account, "export"), params)
    assert response.status_code == 200 and response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, as the master-file exports
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# --- import ---------------------------------------------------------------------------

def test_a_valid_file_previews_then_imports_every_row_at_once(owner_http, owner_account, owner):
    content = HEADER + ("Zoë,O'Brien-Núñez,1990-04-17,F,(503) 555-0123,or,97201,,,\n"
                        "Нина,Петрова,03/09/1978,female,,,,2020-05-06,discharged,2024-02-01\n"
                        "李,小龙,2001-12-31,U,,,,,active,\n")
    preview = upload(owner_http, owner_account, content)
    assert preview.status_code == 200 and preview.context["preview"].ok
    assert len(preview.context["preview"].new_rows) == 3 and clients_of(owner_account) == []
    response = confirm(owner_http, owner_account, preview)
    assert response.status_code == 302
    made = clients_of(owner_account)
    assert [(c.number, c.first_name, c.last_name) for c in made] == [
        (1, "Zoë", "O'Brien-Núñez"), (2, "Нина", "Петрова"), (3, "李", "小龙")]
    assert made[0].mobile_phone == "+15035550123" and made[0].state == "OR" and made[0].search_key
    assert made[0].mobile_phone_key == "32105553051"  # found by its last digits like any client
    assert made[1].status == "discharged" and made[1].discharge_date.isoformat() == "2024-02-01"
    assert made[1].sex == "F" and made[1].birth_date.isoformat() == "1978-03-09"
    with account_scope(owner_account):
        assert ClientCounter.objects.get(account=owner_account).next_number == 4
        changes = {c.client_id: c for c in ClientChange.objects.filter(account=owner_account)}
    adds = AuditEvent.objects.filter(account=owner_account, action="client.add").order_by("seq")
    assert [e.target_id for e in adds] == [str(c.pk) for c in made]
    assert all(e.actor_id == owner.pk and e.detail["imported"] for e in adds)
    assert changes[made[0].pk].event_id == adds[0].pk and changes[made[0].pk].changes["first_name"] == [None, "Zoë"]
    assert "Zoë" not in str(adds[0].detail)  # names stay in ClientChange, not in the log
    summary = AuditEvent.objects.get(account=owner_account, action="client.import")
    assert summary.detail["added"] == 3 and summary.detail["numbers"] == [1, 3]
    assert verify_chain(AuditChain.objects.get(account=owner_account)) == []
    assert not rows_everywhere(PendingImport).exists()


def test_every_bad_row_is_reported_with_every_reason_and_nothing_is_written(owner_http, owner_account):
    content = HEADER + ("Ana,Lima,1990-01-01,F,,,,,,\n"
                        ",Lima,2999-01-01,X,555,ZZ,123,,,\n"
                        "=cmd,Lima,1990-01-01,F,,,,,maybe,\n"
                        "Ana,Lima,1990-01-01,F,,,,,,\n"
                        "Bo,Berg,1990-13-01,M,,,,,discharged,\n"
                        "Cy,Berg,1990-01-01,M\n")
    response = upload(owner_http, owner_account, content)
    assert response.status_code == 400
    preview = response.context["preview"]
    errors = {e.line: e.message for e in preview.parsed.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    for reason in ("first_name", "birth_date: A date of birth cannot be in the future", "sex", "mobile_phone",
                   "state", "zip_code"):
        assert reason in errors[3], reason
    assert "spreadsheet would run as a formula" in errors[4] and "status: use active or discharged" in errors[4]
    assert errors[5] == "the same client (name and date of birth) as line 2"
    assert "birth_date" in errors[6] and "discharge_date: a discharged client needs" in errors[6]
    assert errors[7] == "has 4 cells; the header has 10"
    assert "Line 3:" in response.content.decode() and "Nothing was imported" in response.content.decode()
    assert clients_of(owner_account) == [] and not rows_everywhere(PendingImport).exists()
    event = AuditEvent.objects.get(account=owner_account, action="client.import_preview")
    assert event.outcome == Outcome.FAILURE and event.detail["bad_rows"] == 5


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
    ("first_name,last_name\nZoë,Lima\n".encode("utf-16"), "binary data"),
    ("first_name,last_name,birth_date,sex\nZo\xeb,Lima,1990-01-01,F\n".encode("latin-1"), "not UTF-8"),
    (b"first_name,surname\nAna,Lima\n", "missing column(s): last_name, birth_date, sex; unknown column(s): 'surname'"),
    (b"first_name,last_name,birth_date,sex\n", "a header but no rows"),
    (b'first_name,last_name,birth_date,sex\n"Ana,Lima,1990-01-01,F\n', "not valid CSV"),
])
def test_a_malformed_file_is_refused_with_a_clear_message(owner_http, owner_account, content, message):
    response = upload(owner_http, owner_account, content)
    assert response.status_code == 400
    assert message in response.context["preview"].refused
    assert clients_of(owner_account) == []


@override_settings(CSV_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_and_logged(owner_http, owner_account):
    response = upload(owner_http, owner_account, HEADER + "Ana,Lima,1990-01-01,F,,,,,,\n" * 10)
    assert response.status_code == 400 and "the limit is" in response.content.decode()
    event = AuditEvent.objects.get(account=owner_account, action="client.import_preview")
    assert event.outcome == Outcome.FAILURE and event.detail["refused"]


def test_clients_already_here_are_left_alone_and_an_export_imports_elsewhere(owner_http, owner_account, owner,
                                                                             other_account):
    make_client(owner_account, owner, first_name="Zoë", last_name="O'Brien-Núñez", birth_date="1990-04-17")
    make_client(owner_account, owner, first_name="Amir", last_name="Haddad", birth_date="1980-01-02")
    table = export_table(owner_http, owner_account)
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in table) + "\n"
    again = upload(owner_http, owner_account, text)
    assert again.context["preview"].ok and len(again.context["preview"].existing_rows) == 2
    assert again.context["preview"].token == ""  # nothing new: nothing kept
    add_member(other_account, owner)
    http = login_client(owner)
    moved = confirm(http, other_account, upload(http, other_account, text))
    assert moved.status_code == 302
    assert [(c.number, c.last_name) for c in clients_of(other_account)] == [(1, "O'Brien-Núñez"), (2, "Haddad")]


def test_the_upload_redirects_to_a_preview_page_that_reloads_without_posting_again(owner_http, owner_account):
    response = post_upload(owner_http, owner_account, HEADER + "Ana,Lima,1990-01-01,F,,,,,,\nBo,Reyes,1985-02-03,M,,,,,,\n")
    assert response.status_code == 302
    kept = rows_everywhere(PendingImport).get()
    assert response["Location"] == url(owner_account, "import-preview") + f"?token={kept.token}"
    first, again = owner_http.get(response["Location"]), owner_http.get(response["Location"])
    for page in (first, again):
        assert page.status_code == 200 and b"2</strong> new client" in page.content
        assert f'name="token" value="{kept.token}"'.encode() in page.content
        assert b"Import 2 clients" in page.content
    assert AuditEvent.objects.filter(account=owner_account, action="client.import_preview").count() == 1
    reads = AuditEvent.objects.filter(account=owner_account, action="phi.view", target_type="client_import")
    assert reads.count() == 2 and reads.first().detail == {"new": 2, "existing": 0}
    assert list(rows_everywhere(PendingImport).values_list("pk", "token")) == [(kept.pk, kept.token)]
    assert clients_of(owner_account) == []
    assert confirm(owner_http, owner_account, first).status_code == 302
    back = owner_http.get(response["Location"])
    assert back.status_code == 400 and b"expired, was already imported" in back.content
    assert len(clients_of(owner_account)) == 2


@pytest.mark.parametrize("token", ["nope", "x" * 500])
def test_a_preview_page_without_a_kept_file_says_so(owner_http, owner_account, token):
    page = owner_http.get(url(owner_account, "import-preview"), {"token": token})
    assert page.status_code == 400 and b"Upload the file again" in page.content
    assert b'name="token"' not in page.content
    assert not AuditEvent.objects.filter(account=owner_account, action="phi.view").exists()


def test_a_preview_page_without_a_token_shows_the_empty_upload_form(owner_http, owner_account):
    page = owner_http.get(url(owner_account, "import-preview"))
    assert page.status_code == 200 and page.context["preview"] is None
    assert b'type="file"' in page.content and b'name="token"' not in page.content
    assert b"Upload the file again" not in page.content


def test_the_preview_page_of_another_username_or_account_is_refused(owner_http, owner_account, owner,
                                                                     other_account):
    add_member(other_account, owner)
    colleague = make_user("colleague")
    add_member(owner_account, colleague)
    location = post_upload(owner_http, owner_account, HEADER + "Ana,Lima,1990-01-01,F,,,,,,\n")["Location"]
    token = location.split("token=")[1]
    theirs = login_client(colleague).get(location)
    assert theirs.status_code == 400 and b"Lima" not in theirs.content and b"1</strong> new" not in theirs.content
    elsewhere = owner_http.get(url(other_account, "import-preview"), {"token": token})
    assert elsewhere.status_code == 400 and b"1</strong> new" not in elsewhere.content
    assert owner_http.get(location).status_code == 200
    assert rows_everywhere(PendingImport).count() == 1


def test_a_preview_imports_once(owner_http, owner_account):
    preview = upload(owner_http, owner_account, HEADER + "Ana,Lima,1990-01-01,F,,,,,,\n")
    confirm(owner_http, owner_account, preview)
    second = confirm(owner_http, owner_account, preview)
    assert second.status_code == 302 and second["Location"].endswith("/clients/import/")
    assert len(clients_of(owner_account)) == 1


def test_a_bigger_file_goes_in_with_bulk_writes(owner_http, owner_account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, first in ((3, "Ana"), (300, "Bea")):
        rows = "".join(f"{first},Lima{'a' * (i % 40)},{1950 + i % 50}-01-{1 + i // 50:02d},F,,,,,,\n"
                       for i in range(size))
        preview = upload(owner_http, owner_account, HEADER + rows)
        assert preview.context["preview"].ok, preview.context["preview"].parsed.errors[:3]
        with CaptureQueriesContext(connection) as captured:
            confirm(owner_http, owner_account, preview)
        counts.append(len(captured))
    assert len(clients_of(owner_account)) == 303
    assert counts[1] < 300 / 5, counts  # batches of rows, never statements per row
    assert verify_chain(AuditChain.objects.get(account=owner_account)) == []


# --- export -----------------------------------------------------------------------------

def test_the_export_has_every_client_and_logs_a_phi_read_with_the_count(owner_http, owner_account, owner):
    make_client(owner_account, owner, first_name="Zoë", last_name="Lima", mobile_phone="(503) 555-0123")
    make_client(owner_account, owner, first_name="Amir", last_name="Haddad", birth_date="1980-01-02")
    table = export_table(owner_http, owner_account)
    assert table[0][:3] == ["client_number", "first_name", "middle_name"] and table[0][-2:] == ["status", "discharge_date"]
    assert [(r[0], r[1]) for r in table[1:]] == [("1", "Zoë"), ("2", "Amir")]
    assert table[1][table[0].index("mobile_phone")] == "+15035550123"
    event = AuditEvent.objects.get(account=owner_account, action="phi.view", target_type="client_export")
    assert event.detail == {"rows": 2, "status": "all", "format": "csv"} and event.section == "clients"


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+cmd", "@SUM(1)", "-x"])
def test_exported_formula_cells_are_defused(owner_http, owner_account, owner, value):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        Client.objects.filter(pk=client.pk).update(gender_identity=value)
    table = export_table(owner_http, owner_account)
    assert table[1][table[0].index("gender_identity")] == "'" + value


def test_view_only_may_neither_export_nor_import(viewer_http, owner_account, viewer):
    for response in (viewer_http.get(url(owner_account, "export")), viewer_http.get(url(owner_account, "import")),
                     upload(viewer_http, owner_account, HEADER + "Ana,Lima,1990-01-01,F,,,,,,\n")):
        assert response.status_code == 403
    assert clients_of(owner_account) == []
    assert AuditEvent.objects.filter(account=owner_account, actor=viewer, action="access.denied").count() == 3
    list_page = viewer_http.get(url(owner_account, "list")).content.decode()
    assert "Export to CSV" not in list_page and "Import from CSV" not in list_page


def test_formula_text_kept_by_its_apostrophe_survives_export_and_import(owner_http, owner_account, owner,
                                                                        other_account):
    """The pages and the import refuse formula text alike; the export's apostrophe brings it back in."""
    make_client(owner_account, owner, city="'=Salem")
    table = export_table(owner_http, owner_account)
    assert table[1][table[0].index("city")] == "'=Salem"
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in table) + "\n"
    add_member(other_account, owner)
    http = login_client(owner)
    preview = upload(http, other_account, text)
    assert preview.context["preview"].ok, preview.context["preview"].parsed.errors
    assert confirm(http, other_account, preview).status_code == 302
    assert [c.city for c in clients_of(other_account)] == ["=Salem"]
    bare = upload(http, other_account, HEADER.replace("intake_date", "city") + "Ana,Lima,1990-01-01,F,,,,  =1+1,,\n")
    (error,) = bare.context["preview"].parsed.errors
    assert error.message.count("spreadsheet would run as a formula") == 1, error.message
