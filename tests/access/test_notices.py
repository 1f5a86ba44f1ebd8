"""Owner notices (issue 26): an entry on the account home and an e-mail to the owner and the
usernames with Full Access to Account Access, for joins, privilege changes, emergency access and
the two-factor requirement; each username may turn the e-mails off, except emergency ones."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from practicegate.access import services as access_services
from practicegate.access.models import OwnerNotice, Role
from practicegate.access.notices import notice_owners
from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from practicegate.twofactor import services as twofactor_services
from tests.access.helpers import events, url
from tests.accounts.email_helpers import confirm_email
from tests.helpers import add_member, login_client, make_user, new_member, rows_of

pytestmark = pytest.mark.django_db

NARROWED = {key: str(int(Level.VIEW)) for key in full_levels()}


def notices_of(account, kind=None):
    found = rows_of(OwnerNotice, account).all()
    return found.filter(kind=kind) if kind else found


def home(client, account) -> str:
    return client.get(f"/a/{account.slug}/").content.decode()


@pytest.fixture
def admin(owner_account):
    """A second username with Full Access to Account Access (it hears notices too), its address confirmed."""
    return confirm_email(new_member(owner_account, "office-admin"), "office-admin@example.org")


@pytest.fixture(autouse=True)
def owner_confirmed(owner):
    """Notices are mailed only to confirmed addresses: the owner opened its link (the admin too, below)."""
    confirm_email(owner, f"{owner.username}@example.org")


def test_an_address_waiting_for_its_link_gets_no_notice(owner_account, owner, admin, member,
                                                      django_capture_on_commit_callbacks):
    admin.pending_email, admin.email, admin.email_confirmed_at = admin.email, "", None
    admin.save(update_fields=["pending_email", "email", "email_confirmed_at"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice_owners(account=owner_account, kind="emergency", text="alice used emergency access.", actor=member)
    assert [m.to for m in mail.outbox] == [[owner.email]]  # not the admin's unconfirmed address


def test_privileges_change_notice_is_shown_and_mailed_through_smtp(owner_account, owner, admin, member,
                                                                  smtp_server, django_capture_on_commit_callbacks):
    m = Membership.objects.get(user=member, account=owner_account)
    with django_capture_on_commit_callbacks(execute=True):
        response = login_client(admin).post(url(owner_account, "privileges-edit", membership_id=m.pk), NARROWED)
    assert response.status_code == 302
    notice = notices_of(owner_account, "privileges").get()
    assert "office-admin changed the privileges of alice" in notice.text and notice.actor_id == admin.pk
    [message] = smtp_server.wait_for(owner.email)
    assert message.subject == "Sunrise Counseling: privileges changed"
    assert "office-admin changed the privileges of alice" in message.body
    assert "turn these e-mails off" in message.body
    assert not smtp_server.to(admin.email)  # the one who made the change is not mailed about it
    assert "office-admin changed the privileges of alice" in home(login_client(owner), owner_account)


def test_joined_notice_when_a_username_joins_with_a_code(owner_account, owner, other_account,
                                                        django_capture_on_commit_callbacks):
    _code, raw = access_services.join_code_create(actor=owner, account=owner_account)
    joiner = other_account.owner
    with django_capture_on_commit_callbacks(execute=True):
        access_services.join_code_redeem(actor=joiner, from_account=other_account, raw_code=raw)
    notice = notices_of(owner_account, "joined").get()
    assert notice.text.startswith("lakeside joined this account with a join code")
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert not notices_of(other_account).exists()  # the account joined from hears nothing


def test_joined_notice_when_a_username_is_added(owner_account, owner, admin, django_capture_on_commit_callbacks):
    biller = rows_of(Role, owner_account).get(name="Biller")
    with django_capture_on_commit_callbacks(execute=True):
        access_services.username_add(actor=admin, account=owner_account, username="new-biller",
                                     password="correct horse battery staple 42", role=biller)
    assert "office-admin added the username new-biller with the role Biller" in \
        notices_of(owner_account, "joined").get().text
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_two_factor_requirement_notice(owner_account, owner, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        twofactor_services.account_requirement_set(actor=owner, account=owner_account, required=False)
    assert not notices_of(owner_account).exists()  # nothing changed: nothing to tell
    owner_account.require_two_factor = True
    owner_account.save()
    with django_capture_on_commit_callbacks(execute=True):
        twofactor_services.account_requirement_set(actor=owner, account=owner_account, required=False)
    notice = notices_of(owner_account, "two_factor").get()
    assert notice.text == "sunrise stopped requiring two-factor log-in in this account."
    assert [m.to for m in mail.outbox] == [[admin.email]]
    assert mail.outbox[0].subject == "Sunrise Counseling: the two-factor requirement changed"


def test_emergency_notice_is_sent_even_when_turned_off(owner_account, owner, admin, member,
                                                      django_capture_on_commit_callbacks):
    for user in (owner, admin):
        response = login_client(user).post("/me/notices/", {"emails": "off"})
        assert response.status_code == 302
    assert events(owner_account, "notices.emails_off").count() == 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice_owners(account=owner_account, kind="privileges", text="A change.", actor=member)
    assert mail.outbox == []  # turned off: no e-mail, but the entry is there
    assert notices_of(owner_account, "privileges").count() == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice_owners(account=owner_account, kind="emergency", text="alice used emergency access.", actor=member)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, admin.email])
    assert all(m.subject == "Sunrise Counseling: emergency access was used" for m in mail.outbox)


def test_turning_notices_back_on_mails_again(owner_account, owner, member, django_capture_on_commit_callbacks):
    web = login_client(owner)
    web.post("/me/notices/", {"emails": "off"})
    page = web.get("/me/notices/")
    assert page.status_code == 200 and page.context["form"].initial == {"emails": "off"}
    assert web.post("/me/notices/", {"emails": "on"}).status_code == 302
    assert events(owner_account, "notices.emails_on").count() == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice_owners(account=owner_account, kind="joined", text="Someone joined.", actor=member)
    assert [m.to for m in mail.outbox] == [[owner.email]]


@pytest.mark.parametrize("value", ["", "maybe", "off\x00"])
def test_a_bad_setting_gets_a_message_and_changes_nothing(owner, value):
    response = login_client(owner).post("/me/notices/", {"emails": value})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="notices.").exists()


def test_a_rolled_back_change_mails_no_one(owner_account, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notice_owners(account=owner_account, kind="privileges", text="Never saved.", actor=member)
            raise RuntimeError("the change failed")
    assert mail.outbox == [] and not notices_of(owner_account).exists()


def test_notices_are_seen_only_in_their_account_and_only_by_admins(owner_account, owner, other_account, member):
    add_member(other_account, owner)  # the owner of A also reaches B, with Full Access
    with transaction.atomic():
        notice_owners(account=owner_account, kind="joined", text="Notice of Sunrise.", actor=None)
        notice_owners(account=other_account, kind="joined", text="Notice of Lakeside.", actor=None)
    web = login_client(owner)
    page_a, page_b = home(web, owner_account), home(web, other_account)
    assert "Notice of Sunrise." in page_a and "Notice of Lakeside." not in page_a
    assert "Notice of Lakeside." in page_b and "Notice of Sunrise." not in page_b
    # A username without Full Access to Account Access does not see them.
    Membership.objects.filter(user=member, account=owner_account).update(
        levels={**full_levels(), "account_access": int(Level.VIEW)})
    assert "Notice of Sunrise." not in home(login_client(member), owner_account)


def test_mark_read_hides_a_notice_for_that_username_only(owner_account, owner, admin):
    with transaction.atomic():
        notice = notice_owners(account=owner_account, kind="joined", text="Read me.", actor=None)
    web = login_client(owner)
    assert web.post(url(owner_account, "notice-read", notice_id=notice.pk)).status_code == 302
    assert "Read me." not in home(web, owner_account)
    assert "Read me." in home(login_client(admin), owner_account)
    assert events(owner_account, "notices.read").count() == 1


def test_another_accounts_notice_cannot_be_marked_from_here(owner_account, owner, other_account):
    with transaction.atomic():
        theirs = notice_owners(account=other_account, kind="joined", text="Theirs.", actor=None)
    response = login_client(owner).post(url(owner_account, "notice-read", notice_id=theirs.pk))
    assert response.status_code == 404
    assert not theirs.reads.exists()


def test_a_notice_of_an_unknown_kind_is_a_programming_error(owner_account):
    with pytest.raises(ValueError):
        notice_owners(account=owner_account, kind="gossip", text="x", actor=None)


def test_who_is_told(owner_account, owner, admin, member):
    """The owner and Full Access on Account Access; an inactive username or a narrower one is not."""
    from practicegate.access.notices import admins_of

    make_user("outsider")
    Membership.objects.filter(user=member, account=owner_account).update(
        levels={**full_levels(), "account_access": int(Level.VIEW)})
    assert [u.username for u in admins_of(owner_account)] == ["sunrise", "office-admin"]
    admin.is_active = False
    admin.save()
    assert [u.username for u in admins_of(owner_account)] == ["sunrise"]
