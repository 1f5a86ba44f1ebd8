"""Bad input gets a message beside its field, never a 500; names in any script are welcome."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practicegate.clients.forms import ClientForm
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from tests.clients.helpers import client_data, url

pytestmark = pytest.mark.django_db


def errors_of(**overrides) -> dict:
    form = ClientForm(client_data(**overrides))
    form.is_valid()
    return form.errors


@pytest.mark.parametrize("first, last", [
    ("Zoë", "O'Brien"), ("Jean-Luc", "Picard"), ("Mary Ann", "St. John"), ("محمد", "الحسن"),
    ("Дмитрий", "Шостакович"), ("美咲", "佐藤"), ("नेहा", "शर्मा"), ("Nguyễn", "Thị Minh Khai"),
    ("Ngũgĩ", "wa Thiong’o"), ("Σωκράτης", "Παπαδόπουλος"), ("کیمیا", "می\u200cخواهم"),
])
def test_names_in_any_script_with_apostrophes_and_hyphens(first, last):
    assert errors_of(first_name=first, last_name=last) == {}


def test_names_are_stored_nfc():
    decomposed = unicodedata.normalize("NFD", "Zoë Núñez")
    form = ClientForm(client_data(first_name=decomposed.split()[0], last_name="  " + decomposed.split()[1] + " "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "Zoë" and form.cleaned_data["last_name"] == "Núñez"


@pytest.mark.parametrize("field, value, message", [
    ("first_name", "Zo\x00e", "null characters"),
    ("first_name", "Zo\x1be", "control characters"),
    ("last_name", "Smith\u202e", "control characters"),
    ("first_name", "Robert'); DROP", "letters"),
    ("last_name", "1234", "letters"),
    ("last_name", "", "required"),
    ("first_name", "x" * 101, "at most 100"),
    ("birth_date", "2999-01-01", "future"),
    ("birth_date", "1850-01-01", "years ago"),
    ("birth_date", "1990-02-30", "YYYY-MM-DD"),
    ("birth_date", "yesterday", "YYYY-MM-DD"),
    ("birth_date", "99999-01-01", "YYYY-MM-DD"),
    ("mobile_phone", "555-0123", "phone number"),
    ("mobile_phone", "(123) 456-7890", "can be dialed"),
    ("home_phone", "call me", "phone number"),
    ("zip_code", "1234", "ZIP"),
    ("state", "XX", "valid choice"),
    ("email", "not-an-email", "valid email"),
    ("intake_date", "1980-01-01", "before the date of birth"),
    ("sex", "Q", "valid choice"),
    ("gender_identity", "a\tb", "control characters"),
])
def test_bad_values_get_field_messages(field, value, message):
    errors = errors_of(**{field: value})
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()


def test_phones_are_stored_e164_and_zip_codes_tidied():
    form = ClientForm(client_data(home_phone="503.555.0199", work_phone="+44 20 7946 0958", zip_code="972011234"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["home_phone"] == "+15035550199"
    assert form.cleaned_data["work_phone"] == "+442079460958"
    assert form.cleaned_data["zip_code"] == "97201-1234"


def test_a_bad_post_changes_nothing_and_answers_400(owner_account, owner_http):
    response = owner_http.post(url(owner_account, "add"), client_data(birth_date="2999-01-01", first_name="\x07"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "future" in page and "control characters" in page
    with account_scope(owner_account):
        assert not Client.objects.filter(account=owner_account).exists()


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(ClientForm.base_fields)), st.text(max_size=120), max_size=8))
def test_any_text_in_any_field_is_validated_never_raised(values):
    form = ClientForm(client_data(**values))
    form.is_valid()  # must not raise


@pytest.mark.parametrize("name, data", [
    ("diagnosis-add", {"code": "ZZZ.ZZZZZZ", "start_date": "2024-13-01"}),
    ("diagnosis-add", {"code": "F99", "start_date": "2024-01-01"}),  # not one of the account's codes
    ("policy-add", {"payer": "999999", "priority": "7", "member_id": "", "effective_date": "x"}),
    ("policy-add", {"payer": "abc", "priority": "1", "member_id": "M\x00", "subscriber": "other",
                    "effective_date": "2024-01-01"}),
    ("service-add", {"service_date": "2999-01-01", "billing_code": "x", "units": "-4", "fee": "1e9",
                     "diagnosis1": "123456"}),
])
def test_bad_line_input_is_a_400_with_messages(owner_account, owner_http, client_row, codes, name, data):
    response = owner_http.post(url(owner_account, name, number=client_row.number), data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_length_is_counted_after_nfc():
    decomposed = unicodedata.normalize("NFD", "é" * 100)  # 200 code points, 100 letters
    form = ClientForm(client_data(last_name=decomposed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["last_name"] == "é" * 100
    assert "last_name" in errors_of(last_name=unicodedata.normalize("NFD", "é" * 101))


def test_editing_needs_an_intake_date():
    from practicegate.clients.forms import ClientEditForm

    form = ClientEditForm(client_data(intake_date="", version="1"))
    assert not form.is_valid() and "intake_date" in form.errors


@pytest.mark.parametrize("name, data, field", [
    ("diagnosis-add", {"code": "F41.1", "start_date": "0001-01-01"}, "start_date"),
    ("diagnosis-add", {"code": "F41.1", "start_date": "1990-04-16"}, "start_date"),  # the day before birth
    ("policy-add", {"priority": "1", "member_id": "M1", "subscriber": "self", "effective_date": "0001-01-01"},
     "effective_date"),
    ("policy-add", {"priority": "1", "member_id": "M1", "subscriber": "self", "effective_date": "9999-12-31"},
     "effective_date"),
])
def test_a_line_cannot_start_before_the_client_was_born_or_ages_ahead(owner_account, owner_http, client_row, codes,
                                                                      name, data, field):
    """QA: a diagnosis starting 0001-01-01 and a policy effective 0001-01-01 or 9999-12-31 were saved."""
    if name == "policy-add":
        data = {**data, "payer": codes["payer"].pk}
    response = owner_http.post(url(owner_account, name, number=client_row.number), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    with account_scope(owner_account):
        assert not client_row.diagnoses.exists() and not client_row.policies.exists()


@pytest.mark.parametrize("field, value", [
    ("city", '=HYPERLINK("http://x")'), ("address1", "   =1+1"), ("gender_identity", "@SUM(1)"),
    ("emergency_relationship", "+cmd"), ("email", "=1+1@example.com"),
])
def test_the_client_pages_refuse_formula_text_as_the_import_does(owner_account, owner_http, field, value):
    """QA: the import refused `=HYPERLINK(...)` in a city, but the Add Client page stored it."""
    response = owner_http.post(url(owner_account, "add"), client_data(**{field: value}))
    assert response.status_code == 400
    assert "spreadsheet would run as a formula" in " ".join(response.context["form"].errors[field])
    with account_scope(owner_account):
        assert not Client.objects.filter(account=owner_account).exists()


def test_formula_text_behind_an_apostrophe_is_kept_and_saves_again(owner_account, owner_http):
    assert owner_http.post(url(owner_account, "add"), client_data(city="'=Salem")).status_code == 302
    with account_scope(owner_account):
        client = Client.objects.get(account=owner_account)
    assert client.city == "=Salem"
    edit = url(owner_account, "edit", number=client.number)
    assert 'value="&#x27;=Salem"' in owner_http.get(edit).content.decode()  # shown as typed
    assert owner_http.post(edit, client_data(city="'=Salem", last_name="Lima", version="1")).status_code == 302
    with account_scope(owner_account):
        client.refresh_from_db()
    assert (client.city, client.last_name) == ("=Salem", "Lima")


def test_a_policy_refuses_formula_text_and_its_edit_page_keeps_the_apostrophe(owner_account, owner_http, client_row,
                                                                              codes):
    data = {"payer": codes["payer"].pk, "priority": "1", "member_id": "=1+1", "subscriber": "self",
            "effective_date": "2024-01-01"}
    add = url(owner_account, "policy-add", number=client_row.number)
    assert owner_http.post(add, data).status_code == 400
    assert owner_http.post(add, {**data, "member_id": "'=1+1"}).status_code == 302
    with account_scope(owner_account):
        policy = client_row.policies.get()
    assert policy.member_id == "=1+1"
    edit = url(owner_account, "policy-edit", number=client_row.number, line_pk=policy.pk)
    assert 'value="&#x27;=1+1"' in owner_http.get(edit).content.decode()
