"""{% fragment %}: a piece of page kept under a digest of the data it shows, so it is
never out of date, never shared between different data, and never fed model instances."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from practicegate.core.templatetags import fragments
from practicegate.core.templatetags.fragments import Derived, fragment_key
from tests.helpers import rows_of

PAGE = Template('{% load fragments %}{% fragment "masterfiles/_table_diagnosis.html" table %}')


def _render(table) -> str:
    return PAGE.render(Context({"table": table}))


def _table(description: str, *, may_edit=True, list_url="/a/one/diagnosis-codes/") -> dict:
    return {"rows": [{"pk": 7, "display_code": "F41.1", "description": description, "active": True}],
            "may_edit": may_edit, "list_url": list_url}


def test_the_same_data_is_rendered_once_and_changed_data_anew():
    fragments.STORE.clear()
    first = _render(_table("Generalized anxiety"))
    assert fragments.STORE.get(fragment_key("masterfiles/_table_diagnosis.html", _table("Generalized anxiety")))
    assert _render(_table("Generalized anxiety")) == first
    changed = _render(_table("Generalized anxiety disorder"))
    assert "Generalized anxiety disorder" in changed and changed != first
    # Every input is part of the key: the level and the account's URL too.
    assert 'href="/a/one/diagnosis-codes/7/"' in first
    assert "<a " not in _render(_table("Generalized anxiety", may_edit=False))
    assert 'href="/a/two/diagnosis-codes/7/"' in _render(_table("Generalized anxiety", list_url="/a/two/diagnosis-codes/"))


def test_the_data_is_escaped_as_in_any_template():
    html = _render(_table('<script>alert("x")</script>'))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_model_instances_are_refused(owner_account, owner_scope):
    from practicegate.accounts.models import Account

    with pytest.raises(TypeError, match="plain values"):
        _render({"rows": [Account.objects.get(pk=owner_account.pk)], "may_edit": True, "list_url": "/"})
    with pytest.raises(TypeError):
        _render({"rows": [], "may_edit": True, "list_url": "/", "x": object()})
    _render({"rows": [{"pk": 1, "display_code": "A", "description": "d", "active": False, "fee": Decimal("1.50")}],
             "may_edit": False, "list_url": "/"})  # numbers, text and booleans are plain


def test_an_edit_shows_on_the_next_list(owner_client, owner_account):
    from practicegate.masterfiles.models import DiagnosisCode

    url = f"/a/{owner_account.slug}/diagnosis-codes/"
    owner_client.post(f"{url}add/", {"code": "F41.1", "description": "Before the edit", "active": "on"})
    assert "Before the edit" in owner_client.get(url).content.decode()
    row = rows_of(DiagnosisCode, owner_account).get(code="F411")
    page = owner_client.get(f"{url}{row.pk}/")
    version = page.context["form"]["version"].value()
    saved = owner_client.post(f"{url}{row.pk}/", {"code": "F41.1", "description": "After the edit", "active": "on",
                                                  "version": version})
    assert saved.status_code == 302
    html = owner_client.get(url).content.decode()
    assert "After the edit" in html and "Before the edit" not in html


def test_a_derived_value_is_keyed_on_its_source_and_built_only_on_a_miss():
    fragments.STORE.clear()
    built = []

    def make(source):
        built.append(source)
        return [{"pk": pk, "display_code": code, "description": text, "active": True} for pk, code, text in source]

    def table(source):
        return {"rows": Derived(source, make), "may_edit": True, "list_url": "/a/one/diagnosis-codes/"}

    first = _render(table(((7, "F41.1", "Generalized anxiety"),)))
    assert "Generalized anxiety" in first and built == [((7, "F41.1", "Generalized anxiety"),)]
    assert _render(table(((7, "F41.1", "Generalized anxiety"),))) == first
    assert len(built) == 1  # a hit builds nothing
    changed = _render(table(((7, "F41.1", "Panic disorder"),)))
    assert "Panic disorder" in changed and "Generalized anxiety" not in changed and len(built) == 2
    # The same HTML as the plain rows it makes, whichever way the page passed them.
    assert first == _render(_table("Generalized anxiety"))


def test_a_derived_value_must_come_from_plain_values_too(owner_account, owner_scope):
    from practicegate.accounts.models import Account

    account = Account.objects.get(pk=owner_account.pk)
    with pytest.raises(TypeError, match="plain values"):
        _render({"rows": Derived((account,), lambda source: []), "may_edit": True, "list_url": "/"})
    with pytest.raises(TypeError, match="plain values"):  # nor may it make anything but plain values
        _render({"rows": Derived((1,), lambda source: [account]), "may_edit": True, "list_url": "/"})


def test_the_list_page_reuses_its_fragment_without_making_models(owner_client, owner_account, monkeypatch):
    from practicegate.core.prepared import Columns

    url = f"/a/{owner_account.slug}/diagnosis-codes/"
    owner_client.post(f"{url}add/", {"code": "F41.1", "description": "Generalized anxiety", "active": "on"})
    fragments.STORE.clear()
    first = owner_client.get(url).content.decode()
    made = []
    real = Columns.instances
    from practicegate.masterfiles.models import DiagnosisCode

    def instances(self, rows, start=0):
        if self.model is DiagnosisCode:
            made.append(len(rows))
        return real(self, rows, start)

    monkeypatch.setattr(Columns, "instances", instances)
    again = owner_client.get(url).content.decode()

    def table(html):
        return html[html.index("<table"):html.index("</table>")]

    assert table(again) == table(first) and "Generalized anxiety" in table(again)
    assert made == []  # the rows as read were the key; no code was made into a model
    fragments.STORE.clear()
    assert table(owner_client.get(url).content.decode()) == table(first) and made == [1]  # a miss makes them


def test_each_process_keeps_at_most_max_entries_and_drops_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(fragments, "MAX_ENTRIES", 3)
    fragments.STORE.clear()
    for name in ("one", "two", "three"):
        _render(_table(name))
    _render(_table("one"))  # used again: now the newest
    _render(_table("four"))
    kept = set(fragments.STORE)
    assert len(kept) == 3
    assert fragment_key("masterfiles/_table_diagnosis.html", _table("two")) not in kept
    assert fragment_key("masterfiles/_table_diagnosis.html", _table("one")) in kept
