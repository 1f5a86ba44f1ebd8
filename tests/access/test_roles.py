"""Roles (issue 26): named sets of levels per account, chosen when a username is added or joins,
and applied to a username in several accounts at once with a preview."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps

from practicegate.access.models import Role
from practicegate.access.roles import SEED_ROLES
from practicegate.access.services import join_code_redeem
from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import Level, clean_levels, full_levels
from tests.access.helpers import events, password_login, url
from tests.helpers import PASSWORD, add_member, login_client, make_account, make_user, rows_of

pytestmark = pytest.mark.django_db

FRONT_DESK = clean_levels(SEED_ROLES["Front desk"])
BILLER = clean_levels(SEED_ROLES["Biller"])


def role(account, name):
    return rows_of(Role, account).get(name=name)


def main_of(response) -> str:
    """The page's own content, without the frame (whose provider dropdown lists every account
    the username has joined, as on every page)."""
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def level_post(levels: dict) -> dict:
    return {key: str(value) for key, value in levels.items()}


# --- the roles of an account ------------------------------------------------------------------

def test_every_new_account_starts_with_three_roles(owner_account):
    assert sorted(rows_of(Role, owner_account).values_list("name", flat=True)) == ["Biller", "Clinician",
                                                                                  "Front desk"]
    assert clean_levels(role(owner_account, "Biller").levels) == BILLER
    assert all(clean_levels(r.levels)["account_access"] == Level.NONE for r in rows_of(Role, owner_account).all())


def test_the_data_migration_gives_existing_accounts_their_roles_once(owner_account, other_account):
    rows_of(Role, owner_account).all().delete()  # an account from before roles existed
    migration = import_module("practicegate.access.migrations.0005_seed_roles")
    with across_accounts():  # the migration's historical models have plain managers
        migration.seed(django_apps, None)
        migration.seed(django_apps, None)  # run again: nothing doubles
    assert rows_of(Role, owner_account).count() == 3
    assert rows_of(Role, other_account).count() == 3  # it already had its roles: left as they were


def test_the_roles_page_lists_the_roles_for_view_only(owner_account, member):
    Membership.objects.filter(user=member).update(levels={**full_levels(), "account_access": int(Level.VIEW)})
    page = login_client(member).get(url(owner_account, "roles"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Front desk" in html and "Biller" in html and "New role" not in html
    assert login_client(member).post(url(owner_account, "role-new"),
                                     {"name": "Sneaky", **level_post(full_levels())}).status_code == 403
    assert not rows_of(Role, owner_account).filter(name="Sneaky").exists()


def test_create_change_and_delete_a_role_are_logged(owner_client, owner_account, owner):
    levels = {**FRONT_DESK, "reports": int(Level.VIEW)}
    response = owner_client.post(url(owner_account, "role-new"), {"name": "  Intake  coordinator ",
                                                                  **level_post(levels)})
    assert response.status_code == 302
    made = role(owner_account, "Intake coordinator")
    assert made.levels == levels
    created = events(owner_account, "roles.create").get()
    assert created.actor_id == owner.id and created.detail == {"name": "Intake coordinator", "levels": levels}

    changed_levels = {**levels, "settings": int(Level.VIEW)}
    response = owner_client.post(url(owner_account, "role-edit", role_id=made.pk),
                                 {"name": "Intake", **level_post(changed_levels)})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.name == "Intake" and made.levels == changed_levels
    change = events(owner_account, "roles.change").get()
    assert change.detail["changed"] == ["settings"] and change.detail["name_before"] == "Intake coordinator"

    assert owner_client.post(url(owner_account, "role-delete", role_id=made.pk)).status_code == 302
    assert not rows_of(Role, owner_account).filter(pk=made.pk).exists()
    assert events(owner_account, "roles.delete").get().detail["name"] == "Intake"


@pytest.mark.parametrize("name", ["", "   ", "biller", "BILLER", "x" * 61, "nul\x00byte"])
def test_a_bad_or_taken_role_name_gets_a_message_and_changes_nothing(owner_client, owner_account, name):
    response = owner_client.post(url(owner_account, "role-new"), {"name": name, **level_post(FRONT_DESK)})
    assert response.status_code == 400
    assert response.context["form"].errors.get("name")
    assert rows_of(Role, owner_account).count() == 3
    assert not events(owner_account, "roles.create").exists()


def test_another_accounts_role_is_not_found_here(owner_client, owner_account, other_account):
    theirs = role(other_account, "Biller")
    assert owner_client.get(url(owner_account, "role-edit", role_id=theirs.pk)).status_code == 404
    assert owner_client.post(url(owner_account, "role-delete", role_id=theirs.pk)).status_code == 404
    assert rows_of(Role, other_account).filter(pk=theirs.pk).exists()


# --- a role when a username is added or joins --------------------------------------------------

GOOD = {"username": "new-biller", "password1": PASSWORD, "password2": PASSWORD}


def test_allow_account_access_offers_the_roles_with_the_least_preselected(owner_client, owner_account):
    form = owner_client.get(url(owner_account, "allow")).context["form"]
    names = [label for _value, label in form.fields["role"].choices]
    assert {"Front desk", "Clinician", "Biller"} <= set(names)
    assert form.fields["role"].initial == str(role(owner_account, "Front desk").pk)


def test_add_username_with_a_role(owner_client, owner_account):
    biller = role(owner_account, "Biller")
    assert owner_client.post(url(owner_account, "allow"), {**GOOD, "role": str(biller.pk)}).status_code == 302
    assert Membership.objects.get(user__username="new-biller").levels == BILLER
    event = events(owner_account, "account.username_add").get()
    assert event.detail["role"] == "Biller" and event.detail["levels"] == BILLER


def test_add_username_with_another_accounts_role_is_refused(owner_client, owner_account, other_account):
    theirs = role(other_account, "Biller")
    response = owner_client.post(url(owner_account, "allow"), {**GOOD, "role": str(theirs.pk)})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="new-biller").exists()


def test_with_every_role_deleted_a_new_username_gets_no_access(owner_client, owner_account):
    rows_of(Role, owner_account).all().delete()
    assert owner_client.post(url(owner_account, "allow"), GOOD).status_code == 302
    assert set(Membership.objects.get(user__username="new-biller").levels.values()) == {int(Level.NONE)}


def test_a_join_code_made_with_a_role_gives_that_role(owner_client, owner_account, other_account):
    clinician = role(owner_account, "Clinician")
    page = owner_client.post(url(owner_account, "join-codes"), {"role": str(clinician.pk)})
    assert page.status_code == 200
    raw = page.context["new_code"]
    joiner = other_account.owner
    membership = join_code_redeem(actor=joiner, from_account=other_account, raw_code=raw)
    assert membership.levels == clean_levels(SEED_ROLES["Clinician"])
    assert events(owner_account, "account.join").get().detail["role"] == "Clinician"


def test_a_join_codes_role_is_copied_so_deleting_the_role_widens_nothing(owner_client, owner_account,
                                                                       other_account):
    clinician = role(owner_account, "Clinician")
    raw = owner_client.post(url(owner_account, "join-codes"), {"role": str(clinician.pk)}).context["new_code"]
    assert owner_client.post(url(owner_account, "role-delete", role_id=clinician.pk)).status_code == 302
    membership = join_code_redeem(actor=other_account.owner, from_account=other_account, raw_code=raw)
    assert membership.levels == clean_levels(SEED_ROLES["Clinician"]) != full_levels()


# --- apply a role in several accounts ---------------------------------------------------------

@pytest.fixture
def web_of_accounts(owner_account, other_account):
    """A manager with Full Access to Account Access in A and B, View Only there in C, Full Access
    in D which requires two-factor log-in (not met: no code this session), and nothing in E.
    Alice is a member of all five, with Full Access."""
    c = make_account("Cedar Clinic", "cedar")
    d = make_account("Dune Health", "dune")
    e = make_account("Elm Practice", "elm")
    d.require_two_factor = True
    d.save()
    manager, alice = make_user("manager"), make_user("alice")
    for account in (owner_account, other_account, d):
        add_member(account, manager)
    add_member(c, manager, {**full_levels(), "account_access": int(Level.VIEW)})
    for account in (owner_account, other_account, c, d, e):
        add_member(account, alice)
    return {"a": owner_account, "b": other_account, "c": c, "d": d, "e": e, "manager": manager, "alice": alice}


def _apply(web, accounts, *, step, slugs, username="alice", role_name="Biller"):
    a = accounts["a"]
    return web.post(url(a, "role-apply"), {"username": username, "role": str(role(a, role_name).pk),
                                           "accounts": slugs, "step": step})


def _levels(accounts, key, who="alice"):
    return Membership.objects.get(user=accounts[who], account=accounts[key]).levels


def test_only_accounts_managed_now_are_offered(web_of_accounts):
    w = web_of_accounts
    page = password_login("manager").get(url(w["a"], "role-apply"))
    assert page.status_code == 200
    offered = {slug for slug, _name in page.context["form"].fields["accounts"].choices}
    assert offered == {w["a"].slug, w["b"].slug}
    html = main_of(page)
    for hidden in ("c", "d", "e"):
        assert w[hidden].name not in html
    assert w["e"].name not in page.content.decode()  # a stranger's account: nowhere on the page


def test_the_preview_shows_each_change_and_changes_nothing(web_of_accounts):
    w = web_of_accounts
    Membership.objects.filter(user=w["alice"], account=w["b"]).update(levels=BILLER)
    web = password_login("manager")
    page = _apply(web, w, step="preview", slugs=[w["a"].slug, w["b"].slug])
    assert page.status_code == 200
    rows = {row.account.slug: row for row in page.context["preview"]}
    assert set(rows) == {w["a"].slug, w["b"].slug}
    expected = [(label, Level.FULL, Level(BILLER[key])) for key, label in
                [("clients", "Clients"), ("diagnosis_codes", "Diagnosis Codes"), ("reports", "Reports"),
                 ("account_access", "Account Access"), ("settings", "Settings")]]
    assert rows[w["a"].slug].changes == expected and rows[w["a"].slug].changing
    assert not rows[w["b"].slug].changing and "Already has" in rows[w["b"].slug].note
    html = page.content.decode()
    assert "Account Access" in html and "Full Access" in html and "No Access" in html
    assert _levels(w, "a") == full_levels()
    assert not AuditEvent.objects.filter(action="privileges.apply_role").exists()


def test_confirm_writes_one_event_in_each_account_changed(web_of_accounts):
    w = web_of_accounts
    web = password_login("manager")
    response = _apply(web, w, step="confirm", slugs=[w["a"].slug, w["b"].slug])
    assert response.status_code == 302
    for key in ("a", "b"):
        assert _levels(w, key) == BILLER
        event = events(w[key], "privileges.apply_role").get()
        assert event.actor_id == w["manager"].id and event.target_id == str(w["alice"].id)
        assert event.detail["role"] == "Biller" and event.detail["role_from"] == w["a"].slug
        assert event.detail["before"] == full_levels() and event.detail["after"] == BILLER
    for key in ("c", "d", "e"):
        assert _levels(w, key) == full_levels()
        assert not events(w[key], "privileges.apply_role").exists()


def test_a_crafted_post_naming_accounts_not_managed_changes_nothing_and_names_nothing(web_of_accounts):
    w = web_of_accounts
    web = password_login("manager")
    for step in ("preview", "confirm"):
        response = _apply(web, w, step=step, slugs=[w["a"].slug, w["c"].slug, w["d"].slug, w["e"].slug])
        assert response.status_code == 400
        html = main_of(response)
        for key in ("c", "d", "e"):
            assert w[key].name not in html
        assert w["e"].name not in response.content.decode()
    for key in ("a", "b", "c", "d", "e"):
        assert _levels(w, key) == full_levels()
    assert not AuditEvent.objects.filter(action="privileges.apply_role").exists()
    # Refused where the manager is a member (logged there); nothing at all where it is a stranger.
    assert events(w["c"], "privileges.apply_role_denied").count() == 2
    assert events(w["d"], "privileges.apply_role_denied").count() == 2
    assert not AuditEvent.objects.filter(account=w["e"], actor=w["manager"]).exists()


def test_the_service_itself_skips_accounts_not_managed(web_of_accounts):
    """Past the form, the service judges each account again by the membership rule."""
    from practicegate.access.roles import role_apply
    from practicegate.audit.context import AuditContext

    w = web_of_accounts
    context = AuditContext(channel="web", actor=w["manager"])
    changed = role_apply(actor=w["manager"], account=w["a"], username="alice", role_name="Biller", levels=BILLER,
                         slugs=[w["a"].slug, w["c"].slug, w["d"].slug, w["e"].slug], context=context)
    assert [row.account.slug for row in changed] == [w["a"].slug]
    for key in ("c", "d", "e"):
        assert _levels(w, key) == full_levels()


def test_two_factor_met_brings_the_account_back(web_of_accounts, settings):
    from practicegate.access.roles import manageable_accounts
    from practicegate.audit.context import AuditContext

    w = web_of_accounts
    manager = w["manager"]
    manager.is_verified = lambda: True  # what django-otp sets on a session that entered its code
    offered = {a.slug for a in manageable_accounts(manager, context=AuditContext(channel="web", actor=manager))}
    assert offered == {w["a"].slug, w["b"].slug, w["d"].slug}


def test_confirm_asks_for_the_password_again_when_it_is_not_fresh(web_of_accounts):
    w = web_of_accounts
    web = password_login("manager")
    session = web.session
    session["pg_auth_at"] = 0
    session.save()
    response = _apply(web, w, step="confirm", slugs=[w["a"].slug, w["b"].slug])
    assert response.status_code == 302 and "/access/confirm-password/" in response["Location"]
    assert _levels(w, "a") == full_levels() and _levels(w, "b") == full_levels()
    assert not AuditEvent.objects.filter(action="privileges.apply_role").exists()


def test_an_owner_is_never_changed(web_of_accounts):
    w = web_of_accounts
    b_owner = w["b"].owner
    add_member(w["a"], b_owner)
    web = password_login("manager")
    page = _apply(web, w, step="preview", slugs=[w["a"].slug, w["b"].slug], username=b_owner.username)
    rows = {row.account.slug: row for row in page.context["preview"]}
    assert "Owner" in rows[w["b"].slug].note and not rows[w["b"].slug].changing
    assert _apply(web, w, step="confirm", slugs=[w["a"].slug, w["b"].slug],
                  username=b_owner.username).status_code == 302
    assert Membership.objects.get(user=b_owner, account=w["b"]).level("account_access") == Level.FULL
    assert not events(w["b"], "privileges.apply_role").exists()
    assert events(w["a"], "privileges.apply_role").count() == 1


def test_a_username_in_none_of_the_accounts_is_refused_without_saying_more(web_of_accounts):
    w = web_of_accounts
    web = password_login("manager")
    make_user("stranger")  # exists, but in none of the chosen accounts: answered as if it did not
    for username in ("stranger", "nobody-here"):
        response = _apply(web, w, step="confirm", slugs=[w["a"].slug, w["b"].slug], username=username)
        assert response.status_code == 400
        assert f"There is no username {username} in the accounts you chose." in response.content.decode()
    assert _levels(w, "a") == full_levels()


def test_an_unknown_username_is_refused_plainly(web_of_accounts):
    w = web_of_accounts
    response = _apply(password_login("manager"), w, step="preview", slugs=[w["a"].slug], username="x" * 151)
    assert response.status_code == 400
    assert response.context["form"].errors.get("username")
