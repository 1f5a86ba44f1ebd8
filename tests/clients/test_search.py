"""Client search: any part of a name, case- and accent-blind; number, birth date, phone; pages."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.clients import selectors
from practicegate.clients.views import search_terms_digest
from practicegate.core.scoping import account_scope
from tests.clients.helpers import make_client, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(owner_account, owner):
    return {
        "zoe": make_client(owner_account, owner),  # Zoë O'Brien-Núñez "Zo", mobile (503) 555-0123
        "jose": make_client(owner_account, owner, first_name="José", last_name="Müller", preferred_name="",
                            birth_date="1975-12-01", mobile_phone="", home_phone="212-555-0188"),
        "kim": make_client(owner_account, owner, first_name="민준", last_name="김", preferred_name="Minjun",
                           birth_date="2001-07-30", mobile_phone=""),
        "strasse": make_client(owner_account, owner, first_name="Anna", last_name="Straße", preferred_name="",
                               mobile_phone=""),
    }


def found(account, query, status="active"):
    with account_scope(account):
        return [c.first_name for c in selectors.client_page(account, query=query, status=status).rows]


@pytest.mark.parametrize("query, names", [
    ("zoe", ["Zoë"]), ("ZOË", ["Zoë"]), ("nunez", ["Zoë"]), ("o'brien", ["Zoë"]), ("brien-nú", ["Zoë"]),
    ("jose muller", ["José"]), ("MÜLL", ["José"]), ("ose", ["José"]), ("minjun", ["민준"]), ("김", ["민준"]),
    ("strasse", ["Anna"]), ("straße", ["Anna"]), ("zo", ["Zoë"]), ("nobody", []),
])
def test_names_match_any_part_ignoring_case_and_accents(owner_account, people, query, names):
    assert found(owner_account, query) == names


def test_number_birth_date_and_phone(owner_account, people):
    assert found(owner_account, str(people["jose"].number)) == ["José"]
    assert found(owner_account, f"#{people['kim'].number}") == ["민준"]
    assert found(owner_account, "1975-12-01") == ["José"] == found(owner_account, "12/01/1975")
    assert found(owner_account, "2001-02-30") == []  # an impossible date finds nobody, no error
    assert found(owner_account, "(212) 555-0188") == ["José"] == found(owner_account, "+1 212 555 0188")
    assert found(owner_account, "503.555.0123") == ["Zoë"]


def test_status_filter(owner_account, owner, people):
    from datetime import date

    from practicegate.clients import services

    with account_scope(owner_account):
        services.client_discharge(actor=owner, account=owner_account, client=people["jose"],
                                  discharge_date=date(2024, 5, 1), expected_version=1)
    assert "José" not in found(owner_account, "")
    assert found(owner_account, "", "discharged") == ["José"]
    assert len(found(owner_account, "", "all")) == 4


def test_keyset_pages_cover_every_client_once_in_name_order(owner_account, owner):
    for i in range(7):
        make_client(owner_account, owner, last_name=f"Name{chr(97 + i)}", first_name="A", preferred_name="")
    seen, after = [], None
    with account_scope(owner_account):
        while True:
            page = selectors.client_page(owner_account, after=after, size=3)
            seen += [c.last_name for c in page.rows]
            if page.after is None:
                break
            after = page.after
        back = selectors.client_page(owner_account, before=page.rows[0].number, size=3)  # cursors are numbers
    assert seen == [f"Name{chr(97 + i)}" for i in range(7)]
    assert [c.last_name for c in back.rows] == ["Named", "Namee", "Namef"]


def test_another_accounts_clients_are_never_found(owner_account, other_account, people):
    make_client(other_account, other_account.owner, first_name="Outsider")
    assert found(owner_account, "outsider") == []
    assert found(owner_account, "1") == ["Zoë"]  # their client number 1 is not ours


def test_the_list_logs_one_phi_read_with_the_count_and_the_kind_of_search(owner_account, owner, owner_http, people):
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    page = owner_http.get(url(owner_account, "list"), {"q": "Müller"})
    assert page.status_code == 200 and "José" in page.content.decode()
    [event] = AuditEvent.objects.filter(id__gt=mark)
    assert (event.action, event.target_type, event.section, event.actor_id) == (
        "phi.view", "client_list", "clients", owner.pk)
    assert event.detail["shown"] == 1 and event.detail["client_ids"] == [people["jose"].pk]
    assert event.detail["search"] == "name" and event.detail["words"] == 1
    assert event.detail["terms_hmac"] == search_terms_digest("muller")  # folded, so the same as Müller
    assert "ller" not in str(event.detail)


def test_bad_search_input_is_a_message_not_a_500(owner_account, owner_http, people):
    for q in ("a\x00b", "x" * 500, "%", "_", "' OR 1=1 --", "\u202e"):
        response = owner_http.get(url(owner_account, "list"), {"q": q, "after": "abc", "status": "weird"})
        assert response.status_code == 200
    assert "José" not in owner_http.get(url(owner_account, "list"), {"q": "%"}).content.decode()
