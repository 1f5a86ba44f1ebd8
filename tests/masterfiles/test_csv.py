"""CSV export (streamed, formulas defused) and import (preview, all or nothing)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.importers import IMPORTERS
from practicegate.masterfiles.kinds import KINDS
from practicegate.masterfiles.models import (
    BillingCode,
    DiagnosisCode,
    InsurancePayer,
)
from practicegate.records import csvfiles
from practicegate.records.imports import import_preview
from practicegate.records.models import PendingImport
from tests.helpers import add_member, login_client, rows_everywhere, rows_of
from tests.masterfiles.helpers import add_diagnosis, add_payer, post_upload, upload, url

pytestmark = pytest.mark.django_db


def confirm(client, account, kind, response):
    token = response.context["preview"].token
    return client.post(url(account, f"{kind}-import-confirm"), {"token": token})


def export_rows(client, account, kind):
    response = client.get(url(account, f"{kind}-export"))
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- export ---------------------------------------------------------------------

def test_export_streams_every_row_and_logs_the_count(owner_client, owner_account, rows):
    add_diagnosis(owner_account, "F329", "Depression")
    table = export_rows(owner_client, owner_account, "diagnosis")
    assert table[0] == ["code", "description", "active"]
    assert [r[0] for r in table[1:]] == ["F329", "F411"]
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.export")
    assert event.detail["rows"] == 2


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(1)", "\tx"])
def test_exported_formula_cells_are_defused(owner_client, owner_account, text):
    add_payer(owner_account, name="Payer", payer_id="")
    rows_of(InsurancePayer, owner_account).update(notes=text)
    table = export_rows(owner_client, owner_account, "payer")
    notes = table[1][table[0].index("notes")]
    assert notes == "'" + text


def test_numbers_and_phone_numbers_are_not_defused():
    assert csvfiles.defuse("-5") == "-5"
    assert csvfiles.defuse("+1 555 123 4567") == "+1 555 123 4567"


def test_export_then_import_round_trips(owner_client, owner_account, other_account, rows):
    rows_of(InsurancePayer, owner_account).update(notes="=starts like a formula")
    for kind in KINDS.values():
        response = owner_client.get(url(owner_account, f"{kind.key}-export"))
        data = b"".join(response.streaming_content)
        with account_scope(other_account):
            preview = import_preview(actor=owner_account.owner, account=other_account,
                                     importer=IMPORTERS[kind.key], data=data)
        assert preview.ok, preview.parsed.errors
        parsed = preview.parsed.rows[0]
        original = rows[kind.key]
        for field in kind.fields:
            want = getattr(original, field)
            if field == "notes":
                want = "=starts like a formula"
            assert parsed[field] == want, field


# --- import ---------------------------------------------------------------------

GOOD_DIAGNOSIS = "code,description\nF41.1,Anxiety\nF32.9,Depression\nf43.10,PTSD\n"


def test_preview_then_confirm_adds_rows_in_one_go(owner_client, owner_account, owner):
    preview = upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)
    assert preview.status_code == 200
    assert b"3</strong> new" in preview.content
    assert not rows_of(DiagnosisCode, owner_account).exists()  # nothing yet
    done = confirm(owner_client, owner_account, "diagnosis", preview)
    assert done.status_code == 302
    assert sorted(rows_of(DiagnosisCode, owner_account).values_list("code", flat=True)) == [
        "F329", "F411", "F4310"]
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import")
    assert event.detail == {"rows": 3, "added": 3, "existing": 0}
    assert AuditEvent.objects.get(account=owner_account, action="diagnosis.import_preview").detail["new"] == 3
    assert not rows_everywhere(PendingImport).exists()


def test_the_upload_redirects_to_a_preview_page_that_reloads_without_posting_again(
        owner_client, owner_account):
    response = post_upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)
    assert response.status_code == 302
    kept = rows_everywhere(PendingImport).get()
    assert response["Location"] == url(owner_account, "diagnosis-import-preview") + f"?token={kept.token}"
    first, again = owner_client.get(response["Location"]), owner_client.get(response["Location"])
    for page in (first, again):
        assert page.status_code == 200 and b"3</strong> new" in page.content
        assert f'name="token" value="{kept.token}"'.encode() in page.content
        assert b"Import 3 diagnosis codes" in page.content
    assert AuditEvent.objects.filter(account=owner_account, action="diagnosis.import_preview").count() == 1
    assert list(rows_everywhere(PendingImport).values_list("pk", "token")) == [(kept.pk, kept.token)]
    assert not rows_of(DiagnosisCode, owner_account).exists()
    assert AuditEvent.objects.filter(account=owner_account, action="page.view").count() >= 2
    # Back after Import: the preview page says it is gone, it does not post anything.
    assert confirm(owner_client, owner_account, "diagnosis", first).status_code == 302
    back = owner_client.get(response["Location"])
    assert back.status_code == 400 and b"expired, was already imported" in back.content
    assert rows_of(DiagnosisCode, owner_account).count() == 3


@pytest.mark.parametrize("token", ["nope", "x" * 500])
def test_a_preview_page_without_a_kept_file_says_so(owner_client, owner_account, token):
    page = owner_client.get(url(owner_account, "billing-import-preview"), {"token": token})
    assert page.status_code == 400 and b"Upload the file again" in page.content
    assert b'name="token"' not in page.content


def test_a_preview_page_without_a_token_shows_the_empty_upload_form(owner_client, owner_account):
    page = owner_client.get(url(owner_account, "billing-import-preview"))
    assert page.status_code == 200 and page.context["preview"] is None
    assert b'type="file"' in page.content and b'name="token"' not in page.content
    assert b"Upload the file again" not in page.content


def test_the_preview_page_of_another_username_or_account_or_kind_is_refused(
        owner_client, owner_account, owner, member, other_account):
    add_member(other_account, owner)
    location = post_upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)["Location"]
    token = location.split("token=")[1]
    theirs = login_client(member).get(location)
    assert theirs.status_code == 400 and b"3</strong> new" not in theirs.content
    elsewhere = owner_client.get(url(other_account, "diagnosis-import-preview"), {"token": token})
    assert elsewhere.status_code == 400 and b"3</strong> new" not in elsewhere.content
    other_kind = owner_client.get(url(owner_account, "billing-import-preview"), {"token": token})
    assert other_kind.status_code == 400
    assert owner_client.get(location).status_code == 200  # still the owner's, still kept
    assert rows_everywhere(PendingImport).count() == 1


def test_existing_codes_are_reported_and_left_unchanged(owner_client, owner_account, rows):
    preview = upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS.replace("Anxiety", "Changed"))
    assert b"1</strong> already in this account" in preview.content
    confirm(owner_client, owner_account, "diagnosis", preview)
    rows["diagnosis"].refresh_from_db()
    assert rows["diagnosis"].description == "Generalized anxiety disorder"
    assert rows_of(DiagnosisCode, owner_account).count() == 3


def test_payers_match_by_payer_id_or_by_name_without_one(owner_client, owner_account, rows):
    add_payer(owner_account, name="Local Clinic Plan", payer_id="")
    content = "name,payer_id\nRenamed Blue Harbor,BHH01\nlocal clinic plan,\nNew Payer,NEW01\n"
    preview = upload(owner_client, owner_account, "payer", content)
    assert [r["name"] for r in preview.context["preview"].new_rows] == ["New Payer"]
    assert len(preview.context["preview"].existing_rows) == 2


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(owner_client, owner_account):
    content = ("code,description,active\n"
               "F41.1,Anxiety,yes\n"          # line 2: fine
               "F4,Too short,yes\n"          # 3
               "F32.9,,yes\n"                # 4
               "F41.1,Again,yes\n"           # 5: repeats line 2
               "F43.10,PTSD,maybe\n"         # 6
               "\n"                          # 7: blank, skipped
               "F50.0,=cmd|' /C calc'!A0,yes\n"  # 8
               "F60.3,\"two\nlines\",yes\n"  # 9-10: a quoted newline is refused as a control char
               "F90.0,ADHD,yes,extra\n")     # 11
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert response.status_code == 400
    errors = {e.line: e.message for e in response.context["preview"].parsed.errors}
    assert sorted(errors) == [3, 4, 5, 6, 8, 9, 11]
    assert "code" in errors[3] and "description" in errors[4]
    assert "repeats line 2" in errors[5] and "yes or no" in errors[6]
    assert "formula" in errors[8] and "4 cells" in errors[11]
    assert b"Line 3:" in response.content and b"Line 11:" in response.content
    assert not rows_everywhere(DiagnosisCode).exists() and not rows_everywhere(PendingImport).exists()
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import_preview")
    assert event.outcome == Outcome.FAILURE and event.detail["bad_rows"] == 7


def test_an_apostrophe_keeps_formula_text_as_text(owner_client, owner_account):
    response = upload(owner_client, owner_account, "payer", "name,notes\nPayer,'=not a formula\n")
    assert response.status_code == 200
    confirm(owner_client, owner_account, "payer", response)
    assert rows_of(InsurancePayer, owner_account).get().notes == "=not a formula"


@pytest.mark.parametrize("content, message", [
    (b"", b"The file is empty."),
    (b"   \n\n", b"The file is empty."),
    (b"code,description\n", b"header but no rows"),
    (b"description\nAnxiety\n", b"missing column(s): code"),
    (b"code,description,colour\nF41.1,Anxiety,red\n", b"unknown column(s): &#x27;colour&#x27;"),
    (b"code,code,description\nF41.1,F41.1,x\n", b"repeated column(s): code"),
    ("code,description\nF41.1,Angstst\xf6rung\n".encode("latin-1"), b"not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"binary data"),
    (b'code,description\nF41.1,"unclosed\n', b"not valid CSV"),
])
def test_malformed_files_get_a_clear_message(owner_client, owner_account, content, message):
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert response.status_code == 400
    assert message in response.content
    assert not rows_everywhere(DiagnosisCode).exists()


def test_utf8_with_bom_and_crlf_is_fine(owner_client, owner_account):
    content = "\ufeffcode,description\r\nF41.1,Anxiété généralisée\r\n".encode()
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert response.status_code == 200
    confirm(owner_client, owner_account, "diagnosis", response)
    assert rows_of(DiagnosisCode, owner_account).get().description == "Anxiété généralisée"


def test_a_50_mb_file_is_refused_before_parsing(owner_client, owner_account):
    big = b"code,description\n" + b"F41.1,x\n" * (50 * 1024 * 1024 // 8)
    response = upload(owner_client, owner_account, "diagnosis", big)
    assert response.status_code == 400
    assert b"the limit is 20 MB" in response.content
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import_preview")
    assert event.outcome == Outcome.FAILURE


@override_settings(CSV_IMPORT_MAX_BYTES=10_000_000)
def test_more_rows_than_the_limit_are_refused(owner_client, owner_account, monkeypatch):
    monkeypatch.setattr(csvfiles, "MAX_ROWS", 5)
    content = "code,description\n" + "".join(f"F4{i}.0,x\n" for i in range(10))
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert b"more than 5 rows" in response.content


def test_missing_file_is_a_form_error(owner_client, owner_account):
    response = owner_client.post(url(owner_account, "diagnosis-import"), {})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_confirm_needs_the_right_token_user_and_account(owner_client, owner_account, other_account,
                                                       member):
    preview = upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)
    token = preview.context["preview"].token
    # another username of the same account cannot confirm someone else's upload
    login_client(member).post(url(owner_account, "diagnosis-import-confirm"), {"token": token})
    # nor can the same token be used for another kind
    owner_client.post(url(owner_account, "billing-import-confirm"), {"token": token})
    owner_client.post(url(owner_account, "diagnosis-import-confirm"), {"token": "forged"})
    assert not rows_everywhere(DiagnosisCode).exists()
    assert rows_everywhere(PendingImport).count() == 1
    owner_client.post(url(owner_account, "diagnosis-import-confirm"), {"token": token})
    assert rows_everywhere(DiagnosisCode).count() == 3
    again = owner_client.post(url(owner_account, "diagnosis-import-confirm"), {"token": token}, follow=True)
    assert b"expired or was already imported" in again.content
    assert rows_everywhere(DiagnosisCode).count() == 3


def test_expired_preview_is_refused(owner_client, owner_account):
    import time_machine
    from django.utils import timezone

    preview = upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        confirm(owner_client, owner_account, "diagnosis", preview)
    assert not rows_everywhere(DiagnosisCode).exists()


def test_a_code_added_between_preview_and_confirm_is_counted_as_existing(owner_client, owner_account):
    preview = upload(owner_client, owner_account, "diagnosis", GOOD_DIAGNOSIS)
    add_diagnosis(owner_account, "F329", "Added meanwhile")
    confirm(owner_client, owner_account, "diagnosis", preview)
    assert rows_of(DiagnosisCode, owner_account).get(code="F329").description == "Added meanwhile"
    event = AuditEvent.objects.get(account=owner_account, action="diagnosis.import")
    assert event.detail == {"rows": 3, "added": 2, "existing": 1}


def test_billing_import_with_every_column(owner_client, owner_account):
    content = ("code,description,modifier1,modifier2,modifier3,modifier4,fee,units,active\n"
               "90837,Therapy 60,95,,,,170,1,yes\n"
               "H0031,Assessment,HO,,,,$80.50,2,no\n")
    response = upload(owner_client, owner_account, "billing", content)
    confirm(owner_client, owner_account, "billing", response)
    h = rows_of(BillingCode, owner_account).get(code="H0031")
    assert (str(h.fee), h.units, h.active, h.modifier1) == ("80.50", 2, False, "HO")


@pytest.mark.parametrize("row, reason", [
    ("90837,Therapy,95,,,,-10,1", "negative"), ("9083,Therapy,,,,,1,1", "CPT"),
    ("90837,Therapy,GTX,,,,1,1", "modifier"), ("90837,Therapy,,,,,1,0", "units"),
    ("90837,Therapy,,,,,1000000,1", "at most"),
])
def test_bad_billing_rows(owner_client, owner_account, row, reason):
    header = "code,description,modifier1,modifier2,modifier3,modifier4,fee,units\n"
    response = upload(owner_client, owner_account, "billing", header + row + "\n")
    assert response.status_code == 400
    assert reason in response.context["preview"].parsed.errors[0].message
    assert not rows_everywhere(BillingCode).exists()


@pytest.mark.parametrize("row, reason", [
    ("Payer,P1,,,XX,,,,", "state"), ("Payer,P1,,,NY,1234,,,", "ZIP"),
    ("Payer,P1,,,NY,12345,12,,", "phone"), ("Payer,P1,,,NY,12345,,vip,", "payer_type"),
    (",P1,,,NY,12345,,,", "name"),
])
def test_bad_payer_rows(owner_client, owner_account, row, reason):
    header = "name,payer_id,address,city,state,zip_code,phone,payer_type,notes\n"
    response = upload(owner_client, owner_account, "payer", header + row + "\n")
    assert response.status_code == 400
    assert reason in response.context["preview"].parsed.errors[0].message


def test_import_writes_with_bulk_inserts(owner_client, owner_account, django_assert_max_num_queries):
    content = "code,description\n" + "".join(f"F{40 + i // 100}.{i % 100:02d},Code {i}\n" for i in range(1000))
    preview = upload(owner_client, owner_account, "diagnosis", content)
    assert preview.status_code == 200, preview.context["preview"].parsed.errors[:3]
    # 1000 rows: a handful of batched INSERTs (SQLite caps parameters per statement), not 1000.
    with django_assert_max_num_queries(60):
        confirm(owner_client, owner_account, "diagnosis", preview)
    assert rows_of(DiagnosisCode, owner_account).count() == 1000


@pytest.mark.parametrize("cell", [' =HYPERLINK("http://evil.example","Click")', "\u00a0=cmd|' /C calc'!A0",
                                  "  @SUM(A1)", "\t=1+1", " +cmd"])
def test_a_formula_behind_leading_spaces_is_refused(owner_client, owner_account, cell):
    content = "code,description\n" + "F41.1," + '"' + cell.replace('"', '""') + '"\n'
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert response.status_code == 400
    errors = {e.line: e.message for e in response.context["preview"].parsed.errors}
    assert "formula" in errors[2]
    assert not rows_everywhere(DiagnosisCode).exists() and not rows_everywhere(PendingImport).exists()


def test_an_apostrophe_after_leading_spaces_keeps_formula_text_as_text(owner_client, owner_account):
    response = upload(owner_client, owner_account, "payer", "name,notes\nPayer,  '=not a formula\n")
    assert response.status_code == 200
    confirm(owner_client, owner_account, "payer", response)
    assert rows_of(InsurancePayer, owner_account).get().notes == "=not a formula"
