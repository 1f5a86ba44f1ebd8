"""Emergency access ("break the glass"): off by default, turned on by the owner with the password,
one client read-only for a limited time to a member Clients is closed to, owners told, reviewed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from practicegate.access.models import EmergencyAccess
from practicegate.audit.fhir import audit_event_resource
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level
from tests.access.helpers import events, password_login
from tests.accounts.email_helpers import confirm_email
from tests.clients.helpers import levels_with, make_client
from tests.helpers import PASSWORD, add_member, login_client, new_member, rows_of

pytestmark = pytest.mark.django_db

REASON = "Client called in crisis and the clinician on call is unreachable"


def settings_url(account) -> str:
    return reverse("access:emergency-settings", kwargs={"account": account.slug})


def glass_url(account) -> str:
    return reverse("emergency:open", kwargs={"account": account.slug})


def client_url(account, number: int, tab: str = "detail") -> str:
    return reverse(f"clients:{tab}", kwargs={"account": account.slug, "number": number})


def turn_on(account, minutes: int = 60) -> None:
    account.emergency_access, account.emergency_minutes = True, minutes
    account.save(update_fields=["emergency_access", "emergency_minutes"])


@pytest.fixture
def biller(owner_account):
    """A member of the owner's account with No Access to Clients (Full Access elsewhere)."""
    return new_member(owner_account, "biller", levels_with(Level.NONE) | {"account_access": int(Level.NONE)})


@pytest.fixture
def clients(owner_account):
    return (make_client(owner_account, first_name="Ana", last_name="Quintero", birth_date="1980-02-03"),
            make_client(owner_account, first_name="Ben", last_name="Okafor", birth_date="1975-06-30"))


def break_glass(web, account, *, number=None, last_name="", birth_date="1980-02-03", reason=REASON):
    return web.post(glass_url(account), {"number": number or "", "last_name": last_name,
                                         "birth_date": birth_date, "reason": reason})


@pytest.fixture(autouse=True)
def owner_confirmed(owner):
    """The owner opened its address's confirmation link: emergency mail goes to confirmed addresses."""
    confirm_email(owner, f"{owner.username}@example.org")


def test_it_is_off_by_default_and_the_page_says_so(owner_account, biller, clients):
    assert owner_account.emergency_access is False and owner_account.emergency_minutes == 60
    web = login_client(biller)
    assert b"not available to you" in web.get(glass_url(owner_account)).content
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 400
    assert not rows_of(EmergencyAccess, owner_account).exists()
    assert web.get(client_url(owner_account, clients[0].number)).status_code == 403


def test_only_the_owner_turns_it_on_with_the_password(owner_account, owner, clients):
    admin = new_member(owner_account, "officemgr")  # Full Access everywhere, but not the owner
    admin_web = login_client(admin)
    assert b"Only the account's owner" in admin_web.get(settings_url(owner_account)).content
    refused = admin_web.post(settings_url(owner_account), {"enabled": "on", "minutes": "60", "password": PASSWORD})
    assert refused.status_code == 403
    denied = events(owner_account, "access.denied").get()
    assert denied.actor_id == admin.pk and denied.detail["reason"] == "owner_only"
    owner_web = password_login(owner.username)
    wrong = owner_web.post(settings_url(owner_account), {"enabled": "on", "minutes": "90", "password": "not it at all!!"})
    assert wrong.status_code == 400 and b"not your password" in wrong.content
    too_long = owner_web.post(settings_url(owner_account), {"enabled": "on", "minutes": "900", "password": PASSWORD})
    assert too_long.status_code == 400
    owner_account.refresh_from_db()
    assert owner_account.emergency_access is False
    done = owner_web.post(settings_url(owner_account), {"enabled": "on", "minutes": "90", "password": PASSWORD})
    assert done.status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.emergency_access is True and owner_account.emergency_minutes == 90
    change = events(owner_account, "emergency.settings_change").get()
    assert change.actor_id == owner.pk
    assert change.detail == {"before": {"enabled": False, "minutes": 60}, "after": {"enabled": True, "minutes": 90}}
    assert events(owner_account, "auth.reauth_failed").count() == 1


def test_a_member_without_clients_opens_exactly_one_client_read_only(owner_account, biller, clients, other_account):
    turn_on(owner_account)
    one, two = clients
    foreign = make_client(other_account, first_name="Cy", last_name="Quintero", birth_date="1980-02-03")
    web = login_client(biller)
    opened = break_glass(web, owner_account, number=one.number)
    assert opened.status_code == 302 and opened["Location"] == client_url(owner_account, one.number)
    grant = rows_of(EmergencyAccess, owner_account).get()
    assert (grant.user_id, grant.client_id, grant.reason) == (biller.pk, one.pk, REASON)
    page = web.get(client_url(owner_account, one.number))
    assert page.status_code == 200 and b"Quintero" in page.content
    assert b"Emergency access</strong> to" in page.content and b"every view is logged" in page.content
    for tab in ("diagnoses", "insurance", "services"):
        assert web.get(client_url(owner_account, one.number, tab)).status_code == 200
    # Nothing else: not another client, not the list, not the client's edit pages, no write.
    assert web.get(client_url(owner_account, two.number)).status_code == 403
    assert web.get(reverse("clients:list", kwargs={"account": owner_account.slug})).status_code == 403
    assert web.get(client_url(owner_account, one.number, "edit")).status_code == 403
    assert web.get(client_url(owner_account, one.number, "access-history")).status_code == 403
    refused = web.post(client_url(owner_account, one.number, "edit"), {"first_name": "Changed"})
    assert refused.status_code == 403
    one.refresh_from_db()
    assert one.first_name == "Ana"
    # Not another account: the same number there is another account's, and the grant is not.
    assert web.get(client_url(other_account, foreign.number)).status_code == 404
    # Every read under it names the purpose.
    reads = AuditEvent.objects.filter(account=owner_account, action="phi.view", actor_id=biller.pk)
    assert reads.count() == 4
    assert all(e.detail["purpose"] == "emergency" and e.detail["grant"] == grant.pk for e in reads)
    assert all(e.target_id == str(one.pk) for e in reads)
    # A second client needs the first grant to end.
    again = break_glass(web, owner_account, number=two.number, birth_date="1975-06-30")
    assert again.status_code == 400 and b"only after it ends" in again.content


def test_last_name_and_birth_date_find_the_client(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    opened = break_glass(web, owner_account, last_name="quintero", birth_date="1980-02-03")
    assert opened.status_code == 302 and opened["Location"] == client_url(owner_account, clients[0].number)


def test_a_wrong_match_reveals_nothing_and_tries_are_limited(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    right_number_wrong_date = break_glass(web, owner_account, number=clients[0].number, birth_date="1980-02-04")
    no_such_number = break_glass(web, owner_account, number=99999, birth_date="1980-02-03")
    for answer in (right_number_wrong_date, no_such_number):
        assert answer.status_code == 400 and b"No client matches those details" in answer.content
        assert b"Quintero" not in answer.content and b"Ana" not in answer.content
    misses = events(owner_account, "emergency.no_match")
    assert misses.count() == 2 and all(m.outcome == "denied" and m.actor_id == biller.pk for m in misses)
    for _ in range(3):
        break_glass(web, owner_account, number=99999)
    # Now even the right details are refused for a while.
    locked = break_glass(web, owner_account, number=clients[0].number)
    assert locked.status_code == 429 and b"Too many tries" in locked.content
    assert not rows_of(EmergencyAccess, owner_account).exists()


def test_the_reason_must_say_something(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    for reason in ("", "urgent", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1234 5678 9012 3456 7890"):
        answer = break_glass(web, owner_account, number=clients[0].number, reason=reason)
        assert answer.status_code == 400, reason
    assert not rows_of(EmergencyAccess, owner_account).exists()


def test_members_who_may_view_clients_do_not_need_it(owner_account, clients):
    turn_on(owner_account)
    viewer = new_member(owner_account, "reader", levels_with(Level.VIEW))
    web = login_client(viewer)
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 400
    assert not rows_of(EmergencyAccess, owner_account).exists()


def test_it_ends_after_the_duration(owner_account, biller, clients, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    turn_on(owner_account, minutes=15)
    web = login_client(biller)
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 302
    time_machine.shift(timedelta(minutes=14))
    assert web.get(client_url(owner_account, clients[0].number)).status_code == 200
    time_machine.shift(timedelta(minutes=2))
    page = web.get(client_url(owner_account, clients[0].number))
    assert page.status_code == 403 and b"every view is logged" not in page.content


def test_the_accounts_two_factor_requirement_still_applies(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 302
    owner_account.require_two_factor = True
    owner_account.save(update_fields=["require_two_factor"])
    answer = web.get(client_url(owner_account, clients[0].number))
    assert answer.status_code == 302 and "/two-factor/" in answer["Location"]
    assert break_glass(web, owner_account, number=clients[1].number, birth_date="1975-06-30").status_code == 302
    assert rows_of(EmergencyAccess, owner_account).count() == 1


def test_the_owner_and_account_access_admins_are_mailed(owner_account, owner, biller, clients, smtp_server,
                                                       django_capture_on_commit_callbacks):
    turn_on(owner_account)
    admin = new_member(owner_account, "officemgr", {k: int(Level.NONE) for k in SECTION_KEYS}
                       | {"account_access": int(Level.FULL)})
    bystander = new_member(owner_account, "frontdesk", levels_with(Level.FULL) | {"account_access": int(Level.VIEW)})
    for user in (admin, bystander, biller):
        confirm_email(user, user.email)
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the grant commits
        assert break_glass(login_client(biller), owner_account, number=clients[0].number).status_code == 302
    for user in (owner, admin):
        message = smtp_server.wait_for(user.email)[0]
        assert message.subject == f"{owner_account.name}: emergency access was used"
        assert "biller" in message.body and f"#{clients[0].number}" in message.body and REASON in message.body
    assert smtp_server.to(bystander.email) == [] and smtp_server.to(biller.email) == []


def test_the_home_shows_it_until_reviewed_and_the_review_is_logged(owner_account, owner, biller, clients,
                                                                  django_capture_on_commit_callbacks):
    turn_on(owner_account)
    with django_capture_on_commit_callbacks(execute=True):
        assert break_glass(login_client(biller), owner_account, number=clients[0].number).status_code == 302
    grant = rows_of(EmergencyAccess, owner_account).get()
    assert len(mail.outbox) == 1
    owner_web = login_client(owner)
    home = reverse("core:account-home", kwargs={"account": owner_account.slug})
    assert b"Emergency access to review" in owner_web.get(home).content
    # The member who used it does not see the list.
    assert b"Emergency access to review" not in login_client(biller).get(home).content
    report = reverse("access:emergency-report", kwargs={"account": owner_account.slug})
    listed = owner_web.get(report)
    assert listed.status_code == 200 and REASON.encode() in listed.content
    assert login_client(biller).get(report).status_code == 403
    review = reverse("access:emergency-review", kwargs={"account": owner_account.slug, "grant_id": grant.pk})
    assert owner_web.post(review, {"note": ""}).status_code == 400
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert owner_web.post(review, {"note": "Called the client back; the access was justified."}).status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by_id == owner.pk and grant.review_note.startswith("Called the client back")
    logged = events(owner_account, "emergency.review").get()
    assert logged.detail["note"] == grant.review_note and logged.target_id == str(grant.pk)
    assert b"Emergency access to review" not in owner_web.get(home).content
    assert b"Reviewed by sunrise" in owner_web.get(report).content


def test_another_accounts_grant_cannot_be_reviewed_or_used(owner_account, biller, clients, other_account):
    turn_on(owner_account)
    assert break_glass(login_client(biller), owner_account, number=clients[0].number).status_code == 302
    grant = rows_of(EmergencyAccess, owner_account).get()
    lakeside = login_client(other_account.owner)
    review = reverse("access:emergency-review", kwargs={"account": other_account.slug, "grant_id": grant.pk})
    assert lakeside.post(review, {"note": "Reviewed from elsewhere."}).status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    # The member of both accounts has no grant in the other one.
    add_member(other_account, biller, levels_with(Level.NONE))
    foreign = make_client(other_account, last_name="Quintero", birth_date="1980-02-03")
    assert login_client(biller).get(client_url(other_account, foreign.number)).status_code == 403


def test_the_fhir_export_carries_break_the_glass(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    web.post(glass_url(owner_account), {"number": clients[0].number, "birth_date": "1980-02-03", "reason": REASON})
    web.get(client_url(owner_account, clients[0].number))
    read = AuditEvent.objects.filter(account=owner_account, action="phi.view", actor_id=biller.pk).get()
    resource = audit_event_resource(read, owner_account)
    btg = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG", "display": "break the glass"}
    assert resource["purposeOfEvent"] == [{"coding": [btg]}]
    assert resource["agent"][0]["purposeOfUse"] == [{"coding": [btg]}]
    # The owner's own read of the same client is an ordinary one.
    login_client(owner_account.owner).get(client_url(owner_account, clients[0].number))
    ordinary = AuditEvent.objects.get(account=owner_account, action="phi.view", actor_id=owner_account.owner_id)
    assert "purposeOfEvent" not in audit_event_resource(ordinary, owner_account)


def test_turning_it_off_ends_every_grant_at_once(owner_account, biller, clients):
    turn_on(owner_account)
    web = login_client(biller)
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 302
    owner_account.emergency_access = False
    owner_account.save(update_fields=["emergency_access"])
    assert web.get(client_url(owner_account, clients[0].number)).status_code == 403


def test_a_mail_server_that_is_down_does_not_lose_the_use(owner_account, biller, clients, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    turn_on(owner_account)
    web = login_client(biller)
    assert break_glass(web, owner_account, number=clients[0].number).status_code == 302
    assert events(owner_account, "emergency.open").count() == 1
    home = login_client(owner_account.owner).get(reverse("core:account-home", kwargs={"account": owner_account.slug}))
    assert b"Emergency access to review" in home.content
