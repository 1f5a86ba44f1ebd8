"""A form sent after the password window is kept and applied once the password is confirmed
(issue 23, point 2): every route of the re-authentication list, taken from the code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory

from practicegate.access import services as access_services
from practicegate.access.models import JoinCode, Role
from practicegate.accounts.models import Account, Membership
from practicegate.audit.models import AuditEvent
from practicegate.core import kept_forms
from practicegate.core.reauth import NOT_KEPT_MESSAGE, RESUME_FIELD
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import password_login, url
from tests.helpers import PASSWORD, add_member, make_user, rows_everywhere, rows_of
from tests.twofactor.helpers import START, owner_with_two_factor, settings_url
from tests.walk import every_route

pytestmark = pytest.mark.django_db

# The list as the code has it: every route whose POST asks for the password again.
POST_CHECKED = sorted(name for _route, name, view in every_route() if "POST" in getattr(view, "pg_reauth", ()))
NARROWED = {key: str(int(Level.VIEW)) for key in full_levels()}


@pytest.fixture
def clock(time_machine, settings):
    # A window shorter than Find Account's confirmation, so Join Account's token outlives it.
    settings.REAUTH_SECONDS = 120
    time_machine.move_to(START, tick=False)
    return time_machine


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# Each scenario fills the form while the password is fresh and returns
# (path, posted values, check that the action happened exactly once).

def _allow(ctx):
    def done():
        assert Membership.objects.filter(user__username="newcomer", account=ctx["account"]).count() == 1
        assert events("account.username_add").count() == 1
    return url(ctx["account"], "allow"), {"username": "newcomer", "password1": PASSWORD + "x",
                                          "password2": PASSWORD + "x"}, done


def _find(ctx):
    def done():
        assert events("account.join_found").filter(account=ctx["account"]).count() == 1
    return url(ctx["account"], "find"), {"username": "lakeside", "password": PASSWORD, "code": ""}, done


def _joined(ctx):
    assert Membership.objects.filter(user=ctx["owner"], account=ctx["other"]).count() == 1
    assert events("account.join").filter(account=ctx["other"]).count() == 1


def _join(ctx):
    found = ctx["web"].post(url(ctx["account"], "find"), {"username": "lakeside", "password": PASSWORD})
    token = found.context["join_form"].initial["token"]
    return url(ctx["account"], "join"), {"token": token}, lambda: _joined(ctx)


def _redeem(ctx):
    _code, raw = access_services.join_code_create(actor=ctx["other"].owner, account=ctx["other"])
    return url(ctx["account"], "redeem"), {"join_code": raw}, lambda: _joined(ctx)


def _join_codes(ctx):
    def done():
        assert rows_everywhere(JoinCode).count() == 1
        assert events("account.join_code_create").count() == 1
    return url(ctx["account"], "join-codes"), {}, done


def _revoke(ctx):
    code, _raw = access_services.join_code_create(actor=ctx["owner"], account=ctx["account"])

    def done():
        assert rows_everywhere(JoinCode).get().revoked_at is not None
        assert events("account.join_code_revoke").count() == 1
    return url(ctx["account"], "join-code-revoke", code_id=code.pk), {}, done


def _edit(ctx):
    m = add_member(ctx["account"], make_user("alice"), full_levels())

    def done():
        assert set(Membership.objects.get(pk=m.pk).levels.values()) == {int(Level.VIEW)}
        assert events("privileges.change").count() == 1
    return url(ctx["account"], "privileges-edit", membership_id=m.pk), NARROWED, done


def _defaults(ctx):
    def done():
        assert set(Account.objects.get(pk=ctx["account"].pk).new_member_levels().values()) == {int(Level.VIEW)}
        assert events("privileges.defaults_change").count() == 1
    return url(ctx["account"], "privileges-defaults"), NARROWED, done


def _delete(ctx):
    m = add_member(ctx["account"], make_user("alice"), full_levels())

    def done():
        assert not Membership.objects.filter(pk=m.pk).exists()
        assert events("account.username_remove").count() == 1
    return url(ctx["account"], "privileges-delete", membership_id=m.pk), {}, done


def _two_factor(ctx):
    def done():
        assert Account.objects.get(pk=ctx["account"].pk).require_two_factor
        assert events("twofactor.requirement_on").filter(detail__changed=True).count() == 1
    return settings_url(ctx["account"]), {"required": "on"}, done


# --- roles (feature: roles) -------------------------------------------------------------------

def _role_new(ctx):
    def done():
        assert rows_of(Role, ctx["account"]).filter(name="Intake").exists()
        assert events("roles.create").count() == 1
    return url(ctx["account"], "role-new"), {"name": "Intake", **NARROWED}, done


def _role_edit(ctx):
    role = rows_of(Role, ctx["account"]).get(name="Biller")

    def done():
        assert set(rows_of(Role, ctx["account"]).get(pk=role.pk).levels.values()) == {int(Level.VIEW)}
        assert events("roles.change").count() == 1
    return url(ctx["account"], "role-edit", role_id=role.pk), {"name": "Biller", **NARROWED}, done


def _role_delete(ctx):
    role = rows_of(Role, ctx["account"]).get(name="Biller")

    def done():
        assert not rows_of(Role, ctx["account"]).filter(pk=role.pk).exists()
        assert events("roles.delete").count() == 1
    return url(ctx["account"], "role-delete", role_id=role.pk), {}, done


def _role_apply(ctx):
    m = add_member(ctx["account"], make_user("alice"), full_levels())
    role = rows_of(Role, ctx["account"]).get(name="Biller")

    def done():
        assert Membership.objects.get(pk=m.pk).levels["account_access"] == int(Level.NONE)
        assert events("privileges.apply_role").count() == 1
    return url(ctx["account"], "role-apply"), {"username": "alice", "role": str(role.pk),
                                               "accounts": [ctx["account"].slug], "step": "confirm"}, done


SCENARIOS = {
    # Roles (feature: roles)
    "access:role-new": _role_new,
    "access:role-edit": _role_edit,
    "access:role-delete": _role_delete,
    "access:role-apply": _role_apply,
    "access:allow": _allow,
    "access:find": _find,
    "access:join": _join,
    "access:redeem": _redeem,
    "access:join-codes": _join_codes,
    "access:join-code-revoke": _revoke,
    "access:privileges-edit": _edit,
    "access:privileges-defaults": _defaults,
    "access:privileges-delete": _delete,
    "account_twofactor:settings": _two_factor,
}


def test_the_list_from_the_code_is_not_empty():
    assert "access:allow" in POST_CHECKED and len(POST_CHECKED) >= 10


@pytest.mark.parametrize("name", POST_CHECKED)
def test_a_form_sent_after_the_window_is_applied_once_after_the_password(name, owner_account, owner,
                                                                         other_account, clock):
    if name not in SCENARIOS:
        pytest.fail(f"{name} asks for the password again on POST: give it a scenario here")
    web = owner_with_two_factor(owner, clock) if name.startswith("account_twofactor") else \
        password_login(owner.username)
    ctx = {"web": web, "account": owner_account, "owner": owner, "other": other_account}
    path, data, done = SCENARIOS[name](ctx)
    clock.shift(timedelta(seconds=django_settings.REAUTH_SECONDS + 60))

    sent = web.post(path, data)
    assert sent.status_code == 302 and "resume=" in sent["Location"], name
    with pytest.raises(AssertionError):
        done()  # nothing happened yet
    page = web.get(sent["Location"])
    assert page.status_code == 200 and page.context["action"] == path
    handle = page.context["resume"]
    assert handle and f'action="{path}"' in page.content.decode()
    assert PASSWORD not in page.content.decode()  # kept values stay on the server

    wrong = web.post(path, {"password": "not my password at all", RESUME_FIELD: handle})
    assert wrong.status_code == 400 and wrong.context["resume"] == handle
    with pytest.raises(AssertionError):
        done()  # a wrong password applies nothing and keeps the form waiting

    right = web.post(path, {"password": PASSWORD, RESUME_FIELD: handle})
    assert right.status_code in (200, 302)
    done()
    assert kept_forms.SESSION_KEY not in web.session

    replay = web.post(path, {"password": PASSWORD, RESUME_FIELD: handle})
    assert replay.status_code == 302 and replay["Location"] == f"/a/{owner_account.slug}/"
    assert NOT_KEPT_MESSAGE in [str(m) for m in get_messages(replay.wsgi_request)]
    done()  # still exactly once


def _stale_allow(clock):
    web = password_login("sunrise")
    clock.shift(timedelta(seconds=django_settings.REAUTH_SECONDS + 60))
    return web


def _keep(web, account, path):
    sent = web.post(path, {"username": "newcomer", "password1": PASSWORD + "x", "password2": PASSWORD + "x"})
    return web.get(sent["Location"]).context["resume"]


def test_a_kept_form_is_never_applied_on_another_route(owner_account, clock):
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    other = web.post(url(owner_account, "privileges-defaults"), {"password": PASSWORD, RESUME_FIELD: handle})
    assert other.status_code == 302
    assert events("privileges.defaults_change").count() == 0
    # Offered to the wrong route, it is dropped: the right route cannot apply it later either.
    web.post(url(owner_account, "allow"), {"password": PASSWORD, RESUME_FIELD: handle})
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_a_kept_form_is_never_applied_in_another_account(owner_account, other_account, owner, clock):
    add_member(other_account, owner, full_levels())
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    web.post(url(other_account, "allow"), {"password": PASSWORD, RESUME_FIELD: handle})
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_a_kept_form_expires(owner_account, clock):
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    clock.shift(timedelta(seconds=kept_forms.KEEP_SECONDS + 1))
    web.post(url(owner_account, "allow"), {"password": PASSWORD, RESUME_FIELD: handle})
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_a_kept_form_is_dropped_when_the_password_is_confirmed_for_another_page(owner_account, clock):
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    web.post(url(owner_account, "confirm-password"), {"password": PASSWORD, "next": url(owner_account)})
    assert kept_forms.SESSION_KEY not in web.session
    web.post(url(owner_account, "allow"), {"password": PASSWORD, RESUME_FIELD: handle})
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_the_session_never_holds_the_typed_password_in_clear(owner_account, clock):
    web = _stale_allow(clock)
    _keep(web, owner_account, url(owner_account, "allow"))
    row = Session.objects.get(session_key=web.session.session_key)  # as the database has it
    assert PASSWORD not in row.session_data
    assert "newcomer" not in repr(row.get_decoded())  # the values are encrypted inside the session too


def test_two_requests_that_loaded_the_session_cannot_both_take_the_kept_form(owner_account, owner, clock):
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    path = url(owner_account, "allow")
    requests = []
    for _ in range(2):  # both load the session before either takes the form: a double click
        request = RequestFactory().post(path)
        request.session = SessionStore(web.session.session_key)
        request.session.load()
        request.user, request.account = owner, owner_account
        requests.append(request)
    first, second = (kept_forms.take(request, handle) for request in requests)
    assert first is not None and first["username"] == "newcomer"
    assert second is None


def test_a_kept_form_is_never_taken_for_another_username(owner_account, owner, clock):
    web = _stale_allow(clock)
    handle = _keep(web, owner_account, url(owner_account, "allow"))
    request = RequestFactory().post(url(owner_account, "allow"))
    request.session = SessionStore(web.session.session_key)
    request.user, request.account = add_member(owner_account, make_user("alice")).user, owner_account
    assert kept_forms.take(request, handle) is None
    assert kept_forms.SESSION_KEY not in SessionStore(web.session.session_key).load()  # and it is dropped
