"""Each kind of client search, as staff type it, on the list, Find a client and a picker."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from practicegate.clients import selectors, services
from practicegate.clients.forms import ClientForm
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from tests.clients.helpers import client_data, levels_with, make_client, url
from tests.helpers import add_member, login_client, make_user, rows_of

pytestmark = pytest.mark.django_db
FIND = "/clients/find/"
migration = importlib.import_module("practicegate.clients.migrations.0005_phone_search_keys")


def numbered(account, client, number: int) -> Client:
    """Give a client another number (the service hands them out in order; tests need gaps)."""
    rows_of(Client, account).filter(pk=client.pk).update(number=number)
    client.number = number
    return client


@pytest.fixture
def people(owner_account, owner):
    """Anna Adams (mobile 617-555-0157, born 06/03/1958), client #157 Ben Cole (617-555-0137),
    #201 Cleo Diaz (home 212-555-0157: the same last seven digits as Anna's), Dev Adamson."""
    anna = make_client(owner_account, owner, first_name="Anna", last_name="Adams", preferred_name="",
                       birth_date="1958-06-03", mobile_phone="617-555-0157")
    ben = make_client(owner_account, owner, first_name="Ben", last_name="Cole", preferred_name="",
                      birth_date="1971-01-02", mobile_phone="617-555-0137")
    cleo = make_client(owner_account, owner, first_name="Cleo", last_name="Diaz", preferred_name="",
                       birth_date="1983-11-20", mobile_phone="", home_phone="(212) 555-0157",
                       work_phone="+44 20 7946 0958")
    dev = make_client(owner_account, owner, first_name="Dev", last_name="Adamson", preferred_name="",
                      birth_date="1958-06-03", mobile_phone="")
    return {"anna": numbered(owner_account, anna, 1001), "ben": numbered(owner_account, ben, 157),
            "cleo": numbered(owner_account, cleo, 201), "dev": numbered(owner_account, dev, 1002)}


def found(account, query, status="all") -> list[str]:
    with account_scope(account):
        return [c.first_name for c in selectors.client_page(account, query=query, status=status).rows]


def grouped(account, query) -> list[tuple[str, list[str]]]:
    with account_scope(account):
        search = selectors.parse_search(query)
        page = selectors.client_page(account, query=query, status="all")
        return [(g.label, [c.first_name for c in g.rows]) for g in selectors.groups_of(search, page.rows)]


@pytest.mark.parametrize("query, names", [
    ("Adams, Anna", ["Anna"]), ("Anna Adams", ["Anna"]), ("adams,anna", ["Anna"]), ("ADAMS, ANN", ["Anna"]),
    ("adam", ["Anna", "Dev"]), ("Adamson, Dev", ["Dev"]), ("Adams, Dev", ["Dev"]), ("Cole, Anna", []),
])
def test_names_last_first_first_last_and_partial(owner_account, people, query, names):
    assert found(owner_account, query) == names


@pytest.mark.parametrize("query", ["(617) 555-0157", "617-555-0157", "617.555.0157", "+1 617 555 0157",
                                   "6175550157", "1 617 555 0157"])
def test_a_whole_phone_number_in_any_format(owner_account, people, query):
    assert found(owner_account, query) == ["Anna"]


def test_the_last_seven_digits_find_every_phone_ending_so(owner_account, people):
    assert found(owner_account, "555-0157") == ["Anna", "Cleo"]  # a mobile and a home phone
    assert found(owner_account, "555 0157") == ["Anna", "Cleo"]
    assert found(owner_account, "555-0137") == ["Ben"]
    assert found(owner_account, "+44 20 7946 0958") == ["Cleo"] == found(owner_account, "7946 0958")


def test_four_digits_are_a_client_number_and_a_phone_ending_shown_in_two_groups(owner_account, people):
    assert grouped(owner_account, "0157") == [
        ("Client number 157", ["Ben"]), ("Phone numbers ending in 0157", ["Anna", "Cleo"])]
    assert grouped(owner_account, "5550157") == [
        ("Client number 5550157", []), ("Phone numbers ending in 555-0157", ["Anna", "Cleo"])]
    assert found(owner_account, "0137") == ["Ben"]  # client 137 does not exist; Ben's phone ends so


def test_client_numbers_with_or_without_the_hash(owner_account, people):
    assert found(owner_account, "#201") == ["Cleo"] == found(owner_account, "201")
    assert found(owner_account, "#157") == ["Ben"]  # with "#" a number only, never a phone
    assert grouped(owner_account, "201") == []  # one meaning: no groups


@pytest.mark.parametrize("query", ["06/03/1958", "6/3/1958", "6/3/58", "1958-06-03", "06-03-1958"])
def test_dates_of_birth_as_typed(owner_account, people, query):
    assert found(owner_account, query) == ["Anna", "Dev"]  # in name order: Adams Anna, Adamson Dev


def test_a_two_digit_year_is_never_in_the_future(owner_account, owner, people):
    this_year = date.today().year % 100
    assert found(owner_account, "11/20/83") == ["Cleo"]
    make_client(owner_account, owner, first_name="Baby", last_name="New", birth_date=f"{date.today():%Y}-01-01",
                intake_date=f"{date.today():%Y-%m-%d}")
    if date.today() > date(date.today().year, 1, 1):
        assert found(owner_account, f"1/1/{this_year:02d}") == ["Baby"]


def test_status_still_applies_to_every_kind(owner_account, owner, people):
    with account_scope(owner_account):
        services.client_discharge(actor=owner, account=owner_account, client=people["anna"],
                                  discharge_date=date(2024, 5, 1), expected_version=1)
    assert found(owner_account, "0157", "active") == ["Ben", "Cleo"]
    assert found(owner_account, "0157", "discharged") == ["Anna"]


def test_another_accounts_phones_and_numbers_are_never_found(owner_account, other_account, people):
    theirs = make_client(other_account, other_account.owner, first_name="Outsider", mobile_phone="617-555-0199")
    numbered(other_account, theirs, 1003)
    assert found(owner_account, "0199") == [] and found(owner_account, "1003") == []
    assert found(other_account, "0199") == ["Outsider"]


def test_an_edit_moves_the_client_to_the_new_numbers_ending(owner_account, owner, people):
    data = ClientForm(client_data(first_name="Anna", last_name="Adams", preferred_name="", birth_date="1958-06-03",
                                  mobile_phone="", work_phone="503-555-0999"))
    assert data.is_valid(), data.errors
    with account_scope(owner_account):
        services.client_update(actor=owner, account=owner_account, client=people["anna"], data=data.cleaned_data,
                               expected_version=1)
    assert found(owner_account, "0999") == ["Anna"]
    assert found(owner_account, "555-0157") == ["Cleo"]


def test_pages_of_a_phone_ending_walk_every_match_once_both_ways(owner_account, owner):
    made = [make_client(owner_account, owner, first_name="P", last_name=f"Lee{'gfedcba'[i]}", mobile_phone="",
                        home_phone=f"50{3 + i}-555-0142") for i in range(7)]
    make_client(owner_account, owner, first_name="Q", last_name="Other", mobile_phone="503-555-0143")
    expected = [c.pk for c in reversed(made)]  # name order: Leea .. Leeg
    for query in ("0142", "555-0142"):
        pages, after = [], None
        with account_scope(owner_account):
            while True:
                page = selectors.client_page(owner_account, query=query, status="all", after=after, size=3)
                pages.append(page)
                if page.after is None:
                    break
                after = page.after
            back = selectors.client_page(owner_account, query=query, status="all", before=pages[-1].before, size=3)
        assert [c.pk for p in pages for c in p.rows] == expected and len(pages) == 3
        assert [c.pk for c in back.rows] == [c.pk for c in pages[-2].rows]


def test_the_list_page_shows_each_meaning_under_its_label(owner_account, owner_http, people):
    html = owner_http.get(url(owner_account, "list"), {"q": "0157", "status": "all"}).content.decode()
    assert html.index("Client number 157") < html.index("Cole, Ben<") < html.index("Phone numbers ending in 0157")
    assert html.index("Phone numbers ending in 0157") < html.index("Adams, Anna<") < html.index("Diaz, Cleo<")
    html = owner_http.get(url(owner_account, "list"), {"q": "Adams, Anna", "status": "all"}).content.decode()
    assert "Adams, Anna<" in html and "Adamson" not in html and "Names with" not in html  # one meaning: no label


def test_the_list_logs_both_kinds_of_an_ambiguous_search(owner_account, owner_http, people):
    from practicegate.audit.models import AuditEvent

    owner_http.get(url(owner_account, "list"), {"q": "0157", "status": "all"})
    event = AuditEvent.objects.filter(account=owner_account, target_type="client_list").latest("seq")
    assert event.detail["search"] == "number+phone" and event.detail["words"] == 0
    assert sorted(event.detail["client_ids"]) == sorted(people[k].pk for k in ("anna", "ben", "cleo"))
    assert "0157" not in str(event.detail)


def test_find_a_client_in_all_my_accounts_reads_terms_alike_and_groups_them(owner_account, other_account, people):
    manager = make_user("practice-manager")
    add_member(owner_account, manager)
    add_member(other_account, manager, levels_with(Level.VIEW))
    theirs = make_client(other_account, other_account.owner, first_name="Eve", last_name="Adams",
                         mobile_phone="415-555-0157", birth_date="1958-06-03")
    http = login_client(manager)

    def hits(query):
        response = http.get(FIND, {"q": query})
        assert response.status_code == 200
        return {h.account.slug: [c.first_name for c in h.rows] for h in response.context["results"] if h.rows}

    assert hits("Adams, Anna") == {owner_account.slug: ["Anna"]}
    assert hits("Adams, Eve") == {other_account.slug: ["Eve"]}
    assert hits("6/3/58") == {owner_account.slug: ["Anna", "Dev"], other_account.slug: ["Eve"]}
    assert hits("(617) 555-0157") == {owner_account.slug: ["Anna"]}
    assert hits("555-0157") == {owner_account.slug: ["Anna", "Cleo"], other_account.slug: ["Eve"]}
    response = http.get(FIND, {"q": "0157"})
    [mine] = [h for h in response.context["results"] if h.account == owner_account]
    assert [(g.label, [c.first_name for c in g.rows]) for g in mine.groups] == [
        ("Client number 157", ["Ben"]), ("Phone numbers ending in 0157", ["Anna", "Cleo"])]
    html = response.content.decode()
    assert html.count("Phone numbers ending in 0157") == 2  # under each account
    assert theirs.first_name in html


def test_a_picker_gets_labelled_groups_from_one_call(owner_account, people):
    with account_scope(owner_account):
        assert [(g.label, [c.first_name for c in g.rows])
                for g in selectors.clients_matching(owner_account, "0157")] == [
            ("Client number 157", ["Ben"]), ("Phone numbers ending in 0157", ["Anna", "Cleo"])]
        [only] = selectors.clients_matching(owner_account, "Adams, Anna")
        assert (only.label, [c.first_name for c in only.rows]) == ("Names with “adams” and “anna”", ["Anna"])
        assert selectors.clients_matching(owner_account, "") == []
        assert [c.first_name for c in selectors.clients_matching(owner_account, "adam", limit=1)[0].rows] == ["Anna"]


def test_the_migration_gives_existing_clients_their_phone_keys(owner_account, other_account, people):
    theirs = make_client(other_account, other_account.owner, mobile_phone="415-555-0157")
    Client._base_manager.update(home_phone_key="", mobile_phone_key="", work_phone_key="")
    assert found(owner_account, "0157") == ["Ben"]  # by number only: the keys are gone
    migration.fill_phone_keys(apps, None)
    assert found(owner_account, "0157") == ["Anna", "Ben", "Cleo"]
    cleo = rows_of(Client, owner_account).get(pk=people["cleo"].pk)
    assert (cleo.home_phone_key, cleo.mobile_phone_key, cleo.work_phone_key) == ("75105552121", "", "859064970244")
    assert rows_of(Client, other_account).get(pk=theirs.pk).mobile_phone_key == "75105555141"
