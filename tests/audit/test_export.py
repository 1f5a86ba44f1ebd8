"""Exports: CSV (formula-safe) and FHIR R4 AuditEvent NDJSON, streamed, and logged as events."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.audit.services import record
from practicegate.core.sections import Level, full_levels
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def export_url(account, fmt, query=""):
    name = {"csv": "audit:export-csv", "fhir": "audit:export-fhir"}[fmt]
    return reverse(name, kwargs={"account": account.slug}) + (f"?{query}" if query else "")


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def events(owner_account, owner):
    record("account.update", account=owner_account, actor=owner, section="settings", target=owner_account,
           detail={"fields": ["name"]})
    record("auth.login_failed", account=owner_account, actor_username="=HYPERLINK(\"http://x\")",
           outcome=Outcome.FAILURE)
    record("access.denied", account=owner_account, actor=owner, section="payers", outcome=Outcome.DENIED)
    for evil in ["+1", "-2", "@SUM(A1)", "\tx"]:
        record("page.view", account=owner_account, actor=owner, target_type="x", target_id=evil)


def test_csv_export_streams_every_event_and_is_logged(owner_client, owner_account, owner, events):
    total = AuditEvent.objects.filter(account=owner_account).count()
    response = owner_client.get(export_url(owner_account, "csv", "pages=on"))  # as shown with page views
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = body(response)
    assert raw.startswith("\ufeff".encode())  # UTF-8 with BOM: a spreadsheet reads accented names right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == total == int(response["X-Event-Count"])
    assert [int(r["seq"]) for r in rows] == list(range(1, total + 1))
    logged = AuditEvent.objects.filter(account=owner_account, action="audit.export").get()
    assert (logged.actor_id, logged.detail["count"], logged.detail["format"]) == (owner.pk, total, "csv")
    assert logged.seq == total + 1  # the export does not contain itself


def test_the_export_leaves_out_page_views_as_the_page_does_unless_included(owner_client, owner_account, events):
    shown = AuditEvent.objects.filter(account=owner_account).exclude(action="page.view").count()
    response = owner_client.get(export_url(owner_account, "csv"))
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert len(rows) == shown and all(r["action"] != "page.view" for r in rows)
    logged = AuditEvent.objects.filter(account=owner_account, action="audit.export").get()
    assert logged.detail["filters"] == ["page_views"]


def test_csv_cells_cannot_start_a_formula(owner_client, owner_account, events):
    text = body(owner_client.get(export_url(owner_account, "csv", "pages=on"))).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert {"'+1", "'-2", "'@SUM(A1)", "'\tx"} <= set(cells)


def test_export_applies_the_filters(owner_client, owner_account, events):
    response = owner_client.get(export_url(owner_account, "csv", "outcome=denied"))
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["access.denied"]
    logged = AuditEvent.objects.get(account=owner_account, action="audit.export")
    assert logged.detail["filters"] == ["outcome", "page_views"]
    assert logged.detail["count"] == 1


def test_bad_filters_refuse_the_export_and_log_nothing(owner_client, owner_account, events):
    response = owner_client.get(export_url(owner_account, "fhir", "date_from=yesterday"))
    assert response.status_code == 400
    assert b"Enter a valid date" in response.content
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_to=10000-01-01"])
def test_extreme_dates_refuse_the_export_with_a_message(owner_client, owner_account, events, fmt, query):
    response = owner_client.get(export_url(owner_account, fmt, query))
    assert response.status_code == 400
    assert b"Enter a" in response.content
    assert not AuditEvent.objects.filter(action="audit.export").exists()


FHIR_ACTIONS = {"C", "R", "U", "D", "E"}
FHIR_OUTCOMES = {"0", "4", "8", "12"}
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def assert_coding(coding):
    assert set(coding) <= {"system", "version", "code", "display", "userSelected"}
    assert coding["system"].startswith(("http://", "https://", "urn:")) and coding["code"]


def assert_no_empty_values(node):
    """FHIR JSON forbids empty strings, arrays and objects, and nulls."""
    if isinstance(node, dict):
        assert node, "empty object"
        for value in node.values():
            assert_no_empty_values(value)
    elif isinstance(node, list):
        assert node, "empty array"
        for value in node:
            assert_no_empty_values(value)
    else:
        assert node is not None and node != "", "empty value"


def assert_r4_audit_event(resource):
    """Check one resource against the R4 AuditEvent definition: cardinalities, types, bound codes."""
    assert_no_empty_values(resource)
    assert set(resource) <= {"resourceType", "id", "meta", "text", "type", "subtype", "action", "period",
                             "recorded", "outcome", "outcomeDesc", "purposeOfEvent", "agent", "source", "entity"}
    assert resource["resourceType"] == "AuditEvent"
    assert FHIR_ID.match(resource["id"])
    assert_coding(resource["type"])  # 1..1 Coding
    for coding in resource.get("subtype", []):
        assert_coding(coding)
    assert resource["action"] in FHIR_ACTIONS
    assert INSTANT.match(resource["recorded"])
    assert resource["outcome"] in FHIR_OUTCOMES
    assert resource["agent"], "agent is 1..*"
    for agent in resource["agent"]:
        assert set(agent) <= {"type", "role", "who", "altId", "name", "requestor", "location", "policy",
                              "media", "network", "purposeOfUse"}
        assert isinstance(agent["requestor"], bool)  # 1..1
        if "network" in agent:
            assert agent["network"]["type"] in {"1", "2", "3", "4", "5"}
            assert agent["network"]["address"]
        for coding in agent.get("type", {}).get("coding", []):
            assert_coding(coding)
    source = resource["source"]
    assert set(source) <= {"site", "observer", "type"} and source["observer"]  # observer 1..1
    for entity in resource.get("entity", []):
        assert set(entity) <= {"what", "type", "role", "lifecycle", "securityLabel", "name", "description",
                               "query", "detail"}
        for detail in entity.get("detail", []):
            assert set(detail) == {"type", "valueString"} or set(detail) == {"type", "valueBase64Binary"}


def test_fhir_export_is_one_valid_r4_audit_event_per_line(owner_client, owner_account, owner, events):
    response = owner_client.get(export_url(owner_account, "fhir", "pages=on"), REMOTE_ADDR="203.0.113.9")
    assert response["Content-Type"] == "application/fhir+ndjson"
    lines = body(response).decode().splitlines()
    assert len(lines) == int(response["X-Event-Count"]) > 0
    resources = [json.loads(line) for line in lines]
    for resource in resources:
        assert_r4_audit_event(resource)
    by_action = {r["subtype"][-1]["code"]: r for r in resources}
    update = by_action["account.update"]
    assert (update["action"], update["outcome"]) == ("U", "0")
    assert update["agent"][0]["who"]["display"] == owner.username
    assert update["entity"][0]["what"]["identifier"]["value"] == str(owner_account.pk)
    assert update["source"]["site"] == owner_account.slug
    assert by_action["access.denied"]["outcome"] == "4"
    assert by_action["auth.login_failed"]["outcome"] == "8"
    assert by_action["auth.login_failed"]["type"]["code"] == "110114"  # DICOM User Authentication
    # The export request's own address shows up on the next export's record of this one.
    second = owner_client.get(export_url(owner_account, "fhir", "action=audit.export"), REMOTE_ADDR="203.0.113.9")
    exported = [json.loads(line) for line in body(second).decode().splitlines()]
    assert exported[0]["agent"][0]["network"] == {"address": "203.0.113.9", "type": "2"}
    assert exported[0]["action"] == "R"


def test_view_only_may_export_no_access_may_not(owner_account, events):
    viewer = make_user("viewer")
    add_member(owner_account, viewer, {**full_levels(), "reports": int(Level.VIEW)})
    assert login_client(viewer).get(export_url(owner_account, "csv")).status_code == 200
    blocked = make_user("blocked")
    add_member(owner_account, blocked, {**full_levels(), "reports": int(Level.NONE)})
    assert login_client(blocked).get(export_url(owner_account, "csv")).status_code == 403
    assert AuditEvent.objects.filter(action="audit.export").count() == 1


def test_outsider_cannot_export(owner_account, outsider, events):
    assert login_client(outsider).get(export_url(owner_account, "csv")).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_command_line_export(owner_account, events, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    total = AuditEvent.objects.filter(account=owner_account).count()
    call_command("audit", "export", "--account", owner_account.slug, "--format", fmt, "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == total
    else:
        for line in text.splitlines():
            assert_r4_audit_event(json.loads(line))
        assert len(text.splitlines()) == total
    logged = AuditEvent.objects.get(account=owner_account, action="audit.export")
    assert (logged.channel, logged.detail["count"]) == ("cli", total)
    assert logged.actor_username.startswith("cli:")


def test_export_asks_for_the_password_again_when_it_is_not_fresh(owner_account, owner, events):
    client = login_client(owner)
    session = client.session
    session["pg_auth_at"] = 0  # password last entered long ago
    session.save()
    response = client.get(export_url(owner_account, "csv", "outcome=denied"))
    assert response.status_code == 302
    assert reverse("access:confirm-password", kwargs={"account": owner_account.slug}) in response["Location"]
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_exports_keep_utc_whatever_the_accounts_zone_and_say_so(owner_client, owner_account, owner):
    """Pages show local time; exports are for other systems: UTC, ISO 8601 with its offset."""
    import time_machine

    owner_account.time_zone = "America/Los_Angeles"
    owner_account.save(update_fields=["time_zone"])
    with time_machine.travel("2030-01-15 20:15:00+00:00", tick=False):
        record("account.update", account=owner_account, actor=owner, section="settings", target=owner_account)
    response = owner_client.get(export_url(owner_account, "csv", "action=account.update"))
    assert re.search(r'filename="activity-sunrise-counseling-\d{8}-\d{6}Z\.csv"', response["Content-Disposition"])
    text = body(response).decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[:2] == ["seq", "at_utc"]  # the header says the times are UTC
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["at_utc"] == "2030-01-15T20:15:00+00:00"
    fhir = owner_client.get(export_url(owner_account, "fhir", "action=account.update"))
    [line] = body(fhir).decode().splitlines()
    assert json.loads(line)["recorded"] == "2030-01-15T20:15:00.000000+00:00"
