"""Search by code prefix or words, keyset pages, and the indexes that serve them."""

from __future__ import annotations

import pytest
from django.db import connection

from practicegate.core.scoping import account_scope
from practicegate.masterfiles import selectors
from practicegate.masterfiles.kinds import KINDS
from tests.masterfiles.helpers import add_diagnosis, add_payer, url
from tests.masterfiles.plans import explain, page_query

pytestmark = pytest.mark.django_db
DIAG = KINDS["diagnosis_codes"]


@pytest.fixture
def codes(owner_account):
    rows = [("F410", "Panic disorder"), ("F411", "Generalized anxiety disorder"),
            ("F419", "Anxiety disorder, unspecified"), ("F4310", "Post-traumatic stress disorder"),
            ("F329", "Major depressive disorder, single episode"), ("Z634", "Disappearance of family member")]
    return [add_diagnosis(owner_account, c, d) for c, d in rows]


def found(account, kind, query):
    return [r.code for r in selectors.masterfile_page(account, KINDS[kind], query=query).rows]


@pytest.mark.parametrize("query, codes_found", [
    ("F41", ["F410", "F411", "F419"]), ("f41.1", ["F411"]), ("F4", ["F329", "F410", "F411", "F419", "F4310"][1:]),
    ("F", ["F329", "F410", "F411", "F419", "F4310"]), ("anxiety", ["F411", "F419"]),
    ("Disorder ANXIETY", ["F411", "F419"]), ("stress", ["F4310"]), ("nothing like it", []),
    ("100%", []), ("_", []), ("F43.1", ["F4310"]),
])
def test_search_by_code_prefix_or_words(owner_scope, owner_account, codes, query, codes_found):
    assert found(owner_account, "diagnosis_codes", query) == codes_found


def test_payers_are_found_by_name_words_or_payer_id(owner_scope, owner_account):
    add_payer(owner_account, "Blue Harbor Health", "BHH01")
    add_payer(owner_account, "Evergreen Mutual", "EVM04")
    assert [p.name for p in selectors.search(owner_account, KINDS["payers"], "harbor")] == ["Blue Harbor Health"]
    assert [p.name for p in selectors.search(owner_account, KINDS["payers"], "evm04")] == ["Evergreen Mutual"]


def test_search_page_keeps_the_query_and_escapes_it(owner_client, owner_account, codes):
    html = owner_client.get(url(owner_account, "diagnosis-list"), {"q": "<b>anxiety</b>"}).content
    assert b"&lt;b&gt;anxiety&lt;/b&gt;" in html and b"<b>anxiety</b>" not in html


@pytest.mark.parametrize("params", [{"q": "x" * 500}, {"after": "abc"}, {"before": "-1"},
                                    {"q": "\x00"}, {"after": "99999999999999999999"}])
def test_odd_list_parameters_never_fail(owner_client, owner_account, codes, params):
    assert owner_client.get(url(owner_account, "diagnosis-list"), params).status_code == 200


def test_keyset_pages_walk_forward_and_back(owner_scope, owner_account, codes):
    first = selectors.masterfile_page(owner_account, DIAG, size=2)
    assert [r.code for r in first.rows] == ["F329", "F410"] and first.before is None
    second = selectors.masterfile_page(owner_account, DIAG, size=2, after=first.after)
    assert [r.code for r in second.rows] == ["F411", "F419"]
    third = selectors.masterfile_page(owner_account, DIAG, size=2, after=second.after)
    assert [r.code for r in third.rows] == ["F4310", "Z634"] and third.after is None
    back = selectors.masterfile_page(owner_account, DIAG, size=2, before=third.before)
    assert [r.code for r in back.rows] == ["F411", "F419"]
    start = selectors.masterfile_page(owner_account, DIAG, size=2, before=back.before)
    assert [r.code for r in start.rows] == ["F329", "F410"] and start.before is None


def test_payer_pages_break_name_ties_by_id(owner_scope, owner_account):
    for i in range(5):
        add_payer(owner_account, "Same Name", f"P{i}")
    kind = KINDS["payers"]
    seen, after = [], None
    while True:
        page = selectors.masterfile_page(owner_account, kind, size=2, after=after)
        seen += [p.payer_id for p in page.rows]
        if page.after is None:
            break
        after = page.after
    assert seen == ["P0", "P1", "P2", "P3", "P4"]


def test_list_page_links_to_the_next_page(owner_client, owner_account):
    for i in range(selectors.PAGE_SIZE + 5):
        add_diagnosis(owner_account, f"F{10 + i}", f"Code {i}")
    html = owner_client.get(url(owner_account, "diagnosis-list")).content.decode()
    assert 'rel="next"' in html and "F64" not in html
    with account_scope(owner_account):
        page2 = selectors.masterfile_page(owner_account, DIAG).after
    html2 = owner_client.get(url(owner_account, "diagnosis-list"), {"after": page2}).content.decode()
    assert "F64" in html2 and 'rel="prev"' in html2


# --- the indexes behind it --------------------------------------------------------------

def test_list_and_code_search_use_the_account_code_index(owner_scope, owner_account, codes):
    for query in ("", "F41"):
        plan = explain(page_query(owner_account, DIAG, query), force_index=True)
        if connection.vendor == "sqlite":
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # rows come in index order: no sort
        else:
            # PostgreSQL may sort a handful of estimated rows after the index scan on a tiny
            # table; the ordered scan at 74,000 rows is checked in test_icd10's slow test.
            assert "diagnosis_code_unique" in plan and "Seq Scan" not in plan, plan


def test_word_search_uses_an_index(owner_scope, owner_account, codes):
    plan = explain(selectors.search(owner_account, DIAG, "anxiety").order_by("code"), force_index=True)
    if connection.vendor == "sqlite":
        # No trigram index on SQLite: the account's rows are read through the (account, code)
        # index inside the database, never the whole table and never in Python.
        assert "USING INDEX" in plan and "SCAN masterfiles_diagnosiscode" not in plan, plan
    else:
        # On a table this small the planner may prefer the account's own index to the trigram
        # one (both read only this account's rows); at 74,000 rows test_icd10 checks that the
        # trigram index answers. What must never happen is reading the whole table.
        assert "Seq Scan" not in plan, plan
        assert any(name in plan for name in ("diagnosis_description_trgm", "diagnosis_code_unique",
                                             "masterfiles_diagnosiscode_account_id")), plan
