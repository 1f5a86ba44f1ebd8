"""The lookup boxes of the line forms: the endpoint, its access rule and cost, its indexes,
and the "choose one" step that works without JavaScript."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.kinds import DIAGNOSIS
from practicegate.masterfiles.lookups import DIAGNOSIS_CODES, LOOKUPS, PAYERS, lookup_query
from practicegate.masterfiles.models import DiagnosisCode, InsurancePayer
from tests.clients.helpers import make_client, url
from tests.helpers import login_client
from tests.masterfiles.helpers import add_billing, add_diagnosis, add_payer
from tests.masterfiles.plans import explain

pytestmark = pytest.mark.django_db

ANXIETY = [("F410", "Panic disorder [episodic paroxysmal anxiety]"), ("F411", "Generalized anxiety disorder"),
           ("F419", "Anxiety disorder, unspecified"), ("F329", "Major depressive disorder, single episode"),
           ("F4310", "Post-traumatic stress disorder, unspecified")]


def lookup_url(account, key: str) -> str:
    return reverse(f"clients:lookup-{key}", kwargs={"account": account.slug})


def ask(http, account, key, q):
    response = http.get(lookup_url(account, key), {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def labels(data) -> list[str]:
    return [o["label"] for o in data["options"]]


@pytest.fixture
def dx(owner_account):
    return {code: add_diagnosis(owner_account, code, text) for code, text in ANXIETY}


@pytest.fixture
def lines(owner_account, dx):
    return {"billing": add_billing(owner_account), "payer": add_payer(owner_account),
            "payer2": add_payer(owner_account, "Harbor Mutual", "")}


def deactivate(account, row):
    with account_scope(account):
        type(row).objects.filter(pk=row.pk).update(active=False)


# --- The endpoint --------------------------------------------------------------------------

def test_words_find_generalized_anxiety(owner_account, owner_http, dx):
    data = ask(owner_http, owner_account, "diagnosis-codes", "generalized anxiety")
    assert data["options"] == [{"value": "F411", "label": "F41.1 Generalized anxiety disorder"}]
    assert data["more"] is False
    assert labels(ask(owner_http, owner_account, "diagnosis-codes", "ANXIETY")) == [
        "F41.0 Panic disorder [episodic paroxysmal anxiety]", "F41.1 Generalized anxiety disorder",
        "F41.9 Anxiety disorder, unspecified"]


@pytest.mark.parametrize("q, codes", [("F41", ["F410", "F411", "F419"]), ("f41.1", ["F411"]), ("F4", None),
                                      ("", []), ("   ", []), ("nothing like it", []), ("100%", []), ("_", [])])
def test_codes_by_prefix(owner_account, owner_http, dx, q, codes):
    found = [o["value"] for o in ask(owner_http, owner_account, "diagnosis-codes", q)["options"]]
    assert found == (codes if codes is not None else ["F410", "F411", "F419", "F4310"])


def test_billing_codes_and_payers(owner_account, owner_http, lines):
    billing = ask(owner_http, owner_account, "billing-codes", "9083")["options"]
    assert billing == [{"value": str(lines["billing"].pk), "label": "90837 Therapy, 60 minutes"}]
    assert labels(ask(owner_http, owner_account, "billing-codes", "therapy minutes")) == ["90837 Therapy, 60 minutes"]
    assert labels(ask(owner_http, owner_account, "payers", "harbor")) == ["Blue Harbor Health (BHH01)", "Harbor Mutual"]
    assert ask(owner_http, owner_account, "payers", "bhh01")["options"] == [
        {"value": str(lines["payer"].pk), "label": "Blue Harbor Health (BHH01)"}]


def test_at_most_ten_and_says_there_are_more(owner_account, owner_http):
    for i in range(12):
        add_diagnosis(owner_account, f"F5{i:02d}"[:4] if i < 10 else f"F6{i}", f"Sleep disorder {i}")
    data = ask(owner_http, owner_account, "diagnosis-codes", "sleep")
    assert len(data["options"]) == 10 and data["more"] is True


def test_only_the_accounts_own_active_rows(owner_account, other_account, owner_http, dx, lines):
    add_diagnosis(other_account, "F411", "Generalized anxiety disorder (other practice)")
    add_diagnosis(other_account, "F4322", "Adjustment disorder with anxiety")
    add_payer(other_account, "Harbor Elsewhere", "HE001")
    add_billing(other_account, "90834")
    deactivate(owner_account, dx["F419"])
    assert labels(ask(owner_http, owner_account, "diagnosis-codes", "anxiety")) == [
        "F41.0 Panic disorder [episodic paroxysmal anxiety]", "F41.1 Generalized anxiety disorder"]
    assert labels(ask(owner_http, owner_account, "diagnosis-codes", "F43")) == [
        "F43.10 Post-traumatic stress disorder, unspecified"]
    assert labels(ask(owner_http, owner_account, "payers", "harbor")) == ["Blue Harbor Health (BHH01)", "Harbor Mutual"]
    assert ask(owner_http, owner_account, "payers", "he001")["options"] == []
    assert ask(owner_http, owner_account, "billing-codes", "90834")["options"] == []


@pytest.mark.parametrize("q", ["\x00", "F41\x00", "x" * 5000, "ano\u200bther", "%", "'; drop table"])
def test_odd_words_never_fail(owner_account, owner_http, dx, q):
    for key in LOOKUPS:
        assert owner_http.get(lookup_url(owner_account, key), {"q": q}).status_code == 200


def test_the_rule_is_the_line_forms_full_access_on_clients(owner_account, other_account, viewer, blocked, outsider,
                                                           owner_http, dx):
    path = lookup_url(owner_account, "diagnosis-codes")
    for user, status in ((viewer, 403), (blocked, 403), (outsider, 404)):
        response = login_client(user).get(path, {"q": "anxiety"})
        assert response.status_code == status, user.username
        assert b"F41.1" not in response.content
    assert AuditEvent.objects.filter(account=owner_account, action="access.denied", section="clients").count() == 2
    assert owner_http.post(path, {"q": "anxiety"}).status_code == 405


def test_a_lookup_is_logged_as_a_page_view_without_the_words(owner_account, owner_http, dx):
    ask(owner_http, owner_account, "diagnosis-codes", "generalized anxiety")
    event = AuditEvent.objects.filter(account=owner_account).order_by("-id").first()
    assert event.action == "page.view" and event.section == "clients"
    assert "anxiety" not in str(event.detail) and event.detail["path"] == lookup_url(owner_account, "diagnosis-codes")


def queries(http, path, q) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path, {"q": q}).status_code == 200
    return len(ctx.captured_queries)


def test_each_keystroke_costs_the_same_few_queries(owner_account, owner_http, dx, lines):
    path = lookup_url(owner_account, "diagnosis-codes")
    owner_http.get(path, {"q": "warm"})  # the session's first request may refresh it
    few = {q: queries(owner_http, path, q) for q in ("an", "anxiety", "F41", "F41.1", "zzz")}
    with account_scope(owner_account):
        DiagnosisCode.objects.bulk_create(DiagnosisCode(account=owner_account, code=f"F9{i:03d}",
                                                        description=f"Anxiety variant {i}") for i in range(400))
    many = {q: queries(owner_http, path, q) for q in few}
    assert many == few
    # The access rule, the session, the lookup's one query and the page view's event.
    assert max(few.values()) <= 8, few
    for key in ("billing-codes", "payers"):
        assert queries(owner_http, lookup_url(owner_account, key), "harbor") == few["anxiety"]


# --- The indexes behind it -----------------------------------------------------------------

def test_code_lookups_read_the_account_code_index(owner_scope, owner_account, dx):
    plan = explain(lookup_query(owner_account, DIAGNOSIS_CODES, "F41"), force_index=True)
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    else:
        # On a table this small the planner may read the account's rows through either of its
        # indexes and sort them; the test below checks the code index at scale.
        assert "Seq Scan" not in plan, plan


@pytest.mark.postgresql("the trigram indexes exist on PostgreSQL only")
def test_word_lookups_use_the_trigram_indexes_at_scale(owner_scope, owner_account, other_account):
    for account in (owner_account, other_account):
        with account_scope(account):
            DiagnosisCode.objects.bulk_create(
                DiagnosisCode(account=account, code=f"Q{i:05d}", description=f"Condition {i} of a long list {i * 7919 % 10007}")
                for i in range(20_000))
            InsurancePayer.objects.bulk_create(
                InsurancePayer(account=account, name=f"Payer {i} of many {i * 31 % 997}", payer_id=f"P{i:04d}")
                for i in range(3_000))
    add_diagnosis(owner_account, "F411", "Generalized anxiety disorder")
    with connection.cursor() as cursor:
        for index in ("diagnosis_description_trgm", "payer_name_trgm"):
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            assert "gin_trgm_ops" in cursor.fetchone()[0]
            # What (auto)vacuum does after a bulk load: a GIN index's pending list counts against it.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE masterfiles_diagnosiscode")
        cursor.execute("ANALYZE masterfiles_insurancepayer")
    plan = explain(lookup_query(owner_account, DIAGNOSIS_CODES, "generalized anxiety"))
    assert "diagnosis_description_trgm" in plan and "Seq Scan" not in plan, plan
    assert [r.code for r in lookup_query(owner_account, DIAGNOSIS_CODES, "generalized anxiety")] == ["F411"]
    code_plan = explain(lookup_query(owner_account, DIAGNOSIS_CODES, "Q0012"))
    assert "diagnosis_code_unique" in code_plan and "Seq Scan" not in code_plan, code_plan
    payer_plan = explain(lookup_query(owner_account, PAYERS, "many 12"))
    assert "payer_name_trgm" in payer_plan and "Seq Scan" not in payer_plan, payer_plan


def test_the_list_pages_and_the_lookups_match_alike(owner_scope, owner_account, dx):
    from practicegate.masterfiles import selectors

    for q in ("anxiety", "F41", "f43.1", "disorder single"):
        listed = [r.code for r in selectors.search(owner_account, DIAGNOSIS, q).order_by("code")]
        assert [r.code for r in lookup_query(owner_account, DIAGNOSIS_CODES, q)] == listed


# --- The forms: typed, chosen, and without JavaScript ----------------------------------------

@pytest.fixture
def client_row(owner_account, owner):
    return make_client(owner_account, owner)


def add_dx(http, account, client, **data):
    return http.post(url(account, "diagnosis-add", number=client.number),
                     {"start_date": "2024-02-01", "is_primary": "on", **data})


def saved_codes(account, client) -> list[str]:
    with account_scope(account):
        return [d.code.code for d in ClientDiagnosis.objects.filter(client=client).select_related("code")]


def test_an_exact_code_typed_saves_at_once(owner_account, owner_http, client_row, dx):
    assert add_dx(owner_http, owner_account, client_row, code_search=" f41.1 ").status_code == 302
    assert saved_codes(owner_account, client_row) == ["F411"]


def test_words_lead_to_a_choose_step_that_keeps_the_form(owner_account, owner_http, client_row, dx):
    response = add_dx(owner_http, owner_account, client_row, code_search="generalized anxiety",
                      start_date="2024-03-05")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'type="radio" name="code" value="F411"' in html and "F41.1 Generalized anxiety disorder" in html
    assert 'name="code_shown" value="generalized anxiety"' in html
    assert "One diagnosis code matches “generalized anxiety”: choose it" in html
    assert 'value="generalized anxiety"' in html and 'value="2024-03-05"' in html and "checked" in html
    assert saved_codes(owner_account, client_row) == []

    chosen = add_dx(owner_http, owner_account, client_row, code_search="generalized anxiety",
                    code_shown="generalized anxiety", code="F411", start_date="2024-03-05")
    assert chosen.status_code == 302
    with account_scope(owner_account):
        line = ClientDiagnosis.objects.get(client=client_row)
    assert (line.code.code, str(line.start_date), line.is_primary) == ("F411", "2024-03-05", True)


def test_a_choice_made_for_other_words_no_longer_counts(owner_account, owner_http, client_row, dx):
    response = add_dx(owner_http, owner_account, client_row, code_search="depressive",
                      code_shown="generalized anxiety", code="F411")
    assert response.status_code == 400
    assert 'type="radio" name="code" value="F329"' in response.content.decode()
    assert saved_codes(owner_account, client_row) == []


def test_words_matching_nothing_say_so(owner_account, owner_http, client_row, dx):
    response = add_dx(owner_http, owner_account, client_row, code_search="schizophrenia")
    assert response.status_code == 400
    assert "No active diagnosis code of this account matches “schizophrenia”" in response.content.decode()


def test_a_page_with_another_error_keeps_the_chosen_code(owner_account, owner_http, client_row, dx):
    response = add_dx(owner_http, owner_account, client_row, code_search="F41.1 Generalized anxiety disorder",
                      code_shown="F41.1 Generalized anxiety disorder", code="F411", start_date="1800-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'type="hidden" name="code" value="F411"' in html
    assert 'value="F41.1 Generalized anxiety disorder"' in html


@pytest.mark.parametrize("form, data", [
    ("diagnosis", {"code": "F4322"}),
    ("diagnosis", {"code_search": "F43.22"}),
    ("policy", {"payer": "OTHER"}),
    ("policy", {"payer_search": "HE001"}),
    ("service", {"billing_code": "OTHER"}),
    ("service", {"billing_code_search": "90834"}),
])
def test_another_accounts_row_is_refused(owner_account, other_account, owner_http, client_row, lines, form, data):
    add_diagnosis(other_account, "F4322", "Adjustment disorder with anxiety")
    theirs = {"payer": add_payer(other_account, "Harbor Elsewhere", "HE001").pk,
              "billing_code": add_billing(other_account, "90834").pk}
    data = {k: str(theirs[k]) if v == "OTHER" else v for k, v in data.items()}
    base = {"diagnosis": {"start_date": "2024-02-01"},
            "policy": {"priority": "1", "member_id": "M1", "subscriber": "self", "effective_date": "2024-01-01"},
            "service": {"service_date": "2024-02-02"}}[form]
    response = owner_http.post(url(owner_account, f"{form}-add", number=client_row.number), {**base, **data})
    assert response.status_code == 400
    assert response.context["form"].errors
    with account_scope(owner_account):
        for model in (ClientDiagnosis, ClientPolicy, ClientService):
            assert not model.objects.filter(client=client_row).exists()


def test_an_inactive_code_is_refused_whichever_way_it_comes(owner_account, owner_http, client_row, dx):
    deactivate(owner_account, dx["F419"])
    for data in ({"code": "F419"}, {"code_search": "F41.9"}, {"code_search": "unspecified anxiety"}):
        assert add_dx(owner_http, owner_account, client_row, **data).status_code == 400
    assert saved_codes(owner_account, client_row) == []


def test_payers_by_payer_id_unique_name_or_choice(owner_account, owner_http, client_row, lines):
    base = {"priority": "1", "member_id": "M1", "subscriber": "self", "effective_date": "2024-01-01"}
    add = url(owner_account, "policy-add", number=client_row.number)
    assert owner_http.post(add, {**base, "payer_search": "bhh01"}).status_code == 302
    assert owner_http.post(add, {**base, "priority": "2", "payer_search": "harbor mutual"}).status_code == 302
    step = owner_http.post(add, {**base, "priority": "3", "payer_search": "harbor"})
    assert step.status_code == 400
    html = step.content.decode()
    assert f'name="payer" value="{lines["payer"].pk}"' in html and f'name="payer" value="{lines["payer2"].pk}"' in html
    chosen = owner_http.post(add, {**base, "priority": "3", "payer_search": "harbor", "payer_shown": "harbor",
                                   "payer": lines["payer2"].pk})
    assert chosen.status_code == 302
    with account_scope(owner_account):
        payers = list(ClientPolicy.objects.filter(client=client_row).order_by("priority").values_list("payer_id", flat=True))
    assert payers == [lines["payer"].pk, lines["payer2"].pk, lines["payer2"].pk]


def test_billing_code_typed_or_chosen(owner_account, owner_http, client_row, lines):
    add = url(owner_account, "service-add", number=client_row.number)
    assert add_dx(owner_http, owner_account, client_row, code_search="F41.1").status_code == 302
    with account_scope(owner_account):  # a service points to one of the client's diagnoses
        pointer = {"diagnosis1": ClientDiagnosis.objects.get(client=client_row).pk}
    assert owner_http.post(add, {"service_date": "2024-02-02", "billing_code_search": "90837",
                                 **pointer}).status_code == 302
    step = owner_http.post(add, {"service_date": "2024-02-03", "billing_code_search": "therapy", **pointer})
    assert step.status_code == 400 and "90837 Therapy, 60 minutes" in step.content.decode()
    with account_scope(owner_account):
        assert ClientService.objects.filter(client=client_row).count() == 1


def test_the_form_page_carries_the_lookup_box(owner_account, owner_http, client_row, dx):
    html = owner_http.get(url(owner_account, "diagnosis-add", number=client_row.number)).content.decode()
    assert f'data-lookup-url="{lookup_url(owner_account, "diagnosis-codes")}"' in html
    assert '<label for="id_code">Diagnosis code</label>' in html and 'name="code_search"' in html
    assert '<script src="/static/clients/lookup.js" defer></script>' in html
