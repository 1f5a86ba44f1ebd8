"""Keyset pages of a name search walk the matches in name order, forward and back."""

from __future__ import annotations

import pytest

from practicegate.clients import selectors
from practicegate.core.scoping import account_scope
from tests.clients.helpers import make_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["lindqvist", "li", "lindqvist ann"])
def test_pages_of_a_name_search_cover_every_match_once_in_order(owner_account, owner, query):
    for i in range(7):
        make_client(owner_account, owner, first_name="Ann" + "abcdefg"[i], last_name="Lindqvist")
        make_client(owner_account, owner, first_name="Bo" + "abcdefg"[i], last_name="Lindqvist-Öberg")
        make_client(owner_account, owner, first_name="Cy", last_name="Kowal" + "abcdefg"[i])
    with account_scope(owner_account):
        expected = list(selectors.client_search(owner_account, selectors.parse_search(query), "all")
                        .order_by("sort_key", "id").values_list("pk", flat=True))
        seen, after, pages = [], None, []
        while True:
            page = selectors.client_page(owner_account, query=query, status="all", after=after, size=3)
            pages.append(page)
            seen += [c.pk for c in page.rows]
            if page.after is None:
                break
            after = page.after
        assert seen == expected and len(expected) >= 7
        back = selectors.client_page(owner_account, query=query, status="all", before=pages[-1].before, size=3)
        assert [c.pk for c in back.rows] == [c.pk for c in pages[-2].rows]
