"""Your sessions (/me/sessions/): every browser signed in as a username, signing one out or all
the others, and a new password signing out the rest. Sessions stay in the database; ours name
them only by the SHA-256 of their key."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from practicegate.accounts.models import UserSession
from practicegate.audit.models import AuditEvent
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/me/sessions/"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")
CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
NEW = "a brand new sentence for my password"
WHEN = re.compile(r"\d\d/\d\d/\d{4} \d{1,2}:\d\d [AP]M E[SD]T")  # the `when` filter, New York time


def browser(username: str, agent: str = FIREFOX, ip: str = "10.1.1.1", password: str = PASSWORD) -> Client:
    """A browser that logs in through the log-in form."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def signed_in(client: Client) -> bool:
    return client.get(URL).status_code == 200


def row_of(client: Client) -> UserSession:
    return UserSession.objects.get(key_hash=hashlib.sha256(client.session.session_key.encode()).hexdigest())


def test_each_log_in_makes_a_row_named_by_the_hash_of_its_key(owner):
    desk, phone = browser("sunrise", FIREFOX, "10.1.1.1"), browser("sunrise", IPHONE, "10.2.2.2")
    rows = UserSession.objects.filter(user=owner)
    assert rows.count() == 2
    keys = {desk.session.session_key, phone.session.session_key}
    assert {row.key_hash for row in rows} == {hashlib.sha256(k.encode()).hexdigest() for k in keys}
    assert row_of(desk).ip == "10.1.1.1" and row_of(phone).user_agent == IPHONE
    # No key anywhere of ours: not in a row, not on the page, not in the activity log.
    page = desk.get(URL).content.decode()
    stored = " ".join(str(v) for row in rows.values() for v in row.values())
    logged = " ".join(str(e.detail) + e.user_agent for e in AuditEvent.objects.all())
    for key in keys:
        assert key not in stored and key not in page and key not in logged


def test_the_page_lists_every_session_with_browser_system_ip_and_local_times(owner):
    desk, _ = browser("sunrise", FIREFOX, "10.1.1.1"), browser("sunrise", IPHONE, "10.2.2.2")
    response = desk.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Firefox 120" in html and "Windows 10" in html and "10.1.1.1" in html
    assert "Mobile Safari 17" in html and "iOS 17" in html and "10.2.2.2" in html
    assert html.count(">This session<") == 1
    this_row = re.search(r'<tr class="current-session" id="session-(\d+)">(.*?)</tr>', html, re.S)
    assert int(this_row.group(1)) == row_of(desk).pk and "Firefox 120" in this_row.group(2)
    assert "Sign out</button>" not in this_row.group(2)  # this one ends with Log out
    shown = re.findall(r"<time [^>]*>([^<]*)</time>", html)
    assert len(shown) == 4 and all(WHEN.fullmatch(t) for t in shown)  # signed in and last active, twice
    assert "UTC" not in html
    assert html.count(">Sign out</button>") == 1 and "Sign out everywhere else" in html
    assert 'href="/me/sessions/"' in html  # linked from the top bar, beside My Activity


def test_signing_out_one_session_ends_it_on_the_server(owner):
    desk, phone, laptop = browser("sunrise"), browser("sunrise", IPHONE, "10.2.2.2"), browser("sunrise", CHROME_MAC)
    phone_key, phone_row = phone.session.session_key, row_of(phone)
    response = desk.post(f"{URL}{phone_row.pk}/sign-out/")
    assert response.status_code == 302 and response["Location"] == URL
    assert "Signed out Mobile Safari 17 on iOS 17" in desk.get(URL).content.decode()
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    # The phone's next request finds no session: it is sent to log in.
    refused = phone.get(URL)
    assert refused.status_code == 302 and refused["Location"].startswith("/login/")
    assert signed_in(desk) and signed_in(laptop)
    event = AuditEvent.objects.get(action="auth.session_end")
    assert event.actor_id == owner.pk and event.account_id == owner.home_account_id
    assert event.detail == {"browser": "Mobile Safari 17 on iOS 17", "session_ip": "10.2.2.2"}


def test_sign_out_everywhere_else_keeps_only_this_session(owner, member):
    desk, phone, laptop = browser("sunrise"), browser("sunrise", IPHONE), browser("sunrise", CHROME_MAC)
    colleague = browser("alice")
    response = desk.post(f"{URL}sign-out-others/")
    assert response.status_code == 302 and response["Location"] == URL
    assert not signed_in(phone) and not signed_in(laptop)
    assert signed_in(desk) and signed_in(colleague)  # another username's session is not touched
    assert list(UserSession.objects.filter(user=owner)) == [row_of(desk)]
    event = AuditEvent.objects.get(action="auth.sessions_end_others")
    assert event.actor_id == owner.pk and event.detail == {"sessions_ended": 2}
    html = desk.get(URL).content.decode()
    assert "No other browser is signed in as you" in html and "Sign out everywhere else</button>" not in html


def test_this_sessions_own_id_cannot_sign_it_out_from_the_list(owner):
    desk = browser("sunrise")
    response = desk.post(f"{URL}{row_of(desk).pk}/sign-out/", follow=True)
    assert "To end it, use Log out" in response.content.decode()
    assert signed_in(desk) and UserSession.objects.filter(user=owner).count() == 1
    assert not AuditEvent.objects.filter(action="auth.session_end").exists()


def test_another_usernames_session_cannot_be_signed_out_by_crafting_the_form(owner, outsider):
    mine, theirs = browser("sunrise"), browser("lakeside", IPHONE, "10.9.9.9")
    their_row = row_of(theirs)
    assert mine.post(f"{URL}{their_row.pk}/sign-out/").status_code == 404
    assert mine.post(f"{URL}987654/sign-out/").status_code == 404
    assert signed_in(theirs) and UserSession.objects.filter(pk=their_row.pk).exists()
    assert not AuditEvent.objects.filter(action="auth.session_end").exists()
    # Each username sees only its own sessions.
    mine_html, theirs_html = mine.get(URL).content.decode(), theirs.get(URL).content.decode()
    assert "10.9.9.9" not in mine_html and f'id="session-{their_row.pk}"' not in mine_html
    assert "10.1.1.1" not in theirs_html and f'id="session-{row_of(mine).pk}"' not in theirs_html


def test_a_password_change_ends_every_other_session_and_keeps_this_one(owner):
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE)
    phone_key = phone.session.session_key
    response = desk.post("/password/change/", {"old_password": PASSWORD, "new_password1": NEW,
                                               "new_password2": NEW})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not signed_in(phone)
    assert signed_in(desk)
    # This session got a new key at the change; its row follows it, so it can still be signed out.
    assert row_of(desk).user_id == owner.pk and UserSession.objects.filter(user=owner).count() == 1
    event = AuditEvent.objects.get(action="auth.sessions_end_password")
    assert event.actor_id == owner.pk
    assert event.detail == {"sessions_ended": 1, "reason": "password change", "this_session_kept": True}
    laptop = browser("sunrise", CHROME_MAC, password=NEW)
    assert laptop.post(f"{URL}{row_of(desk).pk}/sign-out/").status_code == 302
    assert not signed_in(desk)


def test_a_password_reset_ends_every_session(owner):
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE)
    owner.refresh_from_db()  # the token is made from the last log-in
    link = (f"/password/reset/{urlsafe_base64_encode(force_bytes(owner.pk))}/"
            f"{default_token_generator.make_token(owner)}/")
    anonymous = Client()
    form_url = anonymous.get(link)["Location"]
    done = anonymous.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert not signed_in(desk) and not signed_in(phone)
    assert not UserSession.objects.filter(user=owner).exists()
    event = AuditEvent.objects.get(action="auth.sessions_end_password")
    assert event.detail == {"sessions_ended": 2, "reason": "password reset", "this_session_kept": False}


def test_a_session_whose_row_is_gone_is_ended_on_its_next_request(owner):
    """Even with its Django session intact (say, a sign-out racing one of its requests)."""
    desk = browser("sunrise")
    UserSession.objects.filter(user=owner).delete()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = desk.get(URL, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "signed out from another browser" in response.content.decode()
    assert not UserSession.objects.filter(user=owner).exists()  # not made again for the ended session


def test_last_active_is_written_at_most_once_a_minute(owner):
    desk = browser("sunrise")
    first = row_of(desk).last_seen_at
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert signed_in(desk)
    assert row_of(desk).last_seen_at == first
    later = timezone.now() + timedelta(seconds=70)
    with time_machine.travel(later, tick=False):
        assert signed_in(desk)
    assert row_of(desk).last_seen_at == later


def test_log_out_and_the_idle_limit_drop_the_row(owner, settings):
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE)
    desk.post("/logout/")
    assert UserSession.objects.filter(user=owner).count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_IDLE_SECONDS + 5)):
        assert not signed_in(phone)
    assert not UserSession.objects.filter(user=owner).exists()


def test_sessions_the_lifetime_rules_ended_are_not_listed(owner):
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE, "10.2.2.2")
    UserSession.objects.filter(pk=row_of(phone).pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    html = desk.get(URL).content.decode()
    assert "10.2.2.2" not in html and "Sign out everywhere else" not in html


def test_a_session_from_before_the_list_gets_its_row(owner):
    desk = browser("sunrise")
    session = desk.session
    for key in ("pg_session_row", "pg_session_seen", "pg_session_hash"):
        del session[key]
    session.save()
    UserSession.objects.all().delete()
    assert signed_in(desk)
    assert row_of(desk).user_id == owner.pk


def test_an_unknown_browser_is_named_so(owner):
    desk = browser("sunrise", agent="")
    assert "Unknown browser" in desk.get(URL).content.decode()


def test_the_page_needs_a_signed_in_username_and_its_buttons_post_only(owner):
    anonymous = Client()
    assert anonymous.get(URL).status_code == 302
    assert anonymous.post(f"{URL}sign-out-others/").status_code == 302
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE)
    assert desk.get(f"{URL}{row_of(phone).pk}/sign-out/").status_code == 405
    assert desk.get(f"{URL}sign-out-others/").status_code == 405
    assert signed_in(phone)


def test_the_buttons_need_the_csrf_token(owner):
    desk = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX)
    page = desk.get("/login/")
    token = page.cookies["csrftoken"].value
    assert desk.post("/login/", {"username": "sunrise", "password": PASSWORD,
                                 "csrfmiddlewaretoken": token}).status_code == 302
    phone = browser("sunrise", IPHONE)
    assert desk.post(f"{URL}sign-out-others/").status_code == 403
    assert signed_in(phone)
    token = desk.get(URL).cookies.get("csrftoken") or desk.cookies["csrftoken"]
    assert desk.post(f"{URL}sign-out-others/", {"csrfmiddlewaretoken": token.value}).status_code == 302
    assert not signed_in(phone)


def test_signing_out_asks_for_the_password_once_it_is_not_fresh(owner, settings):
    """ASVS 5.0 7.5.2: sessions are ended having re-entered the password (fresh from log-in for
    REAUTH_SECONDS); a wrong one is logged like a failed log-in and ends nothing."""
    desk, phone = browser("sunrise"), browser("sunrise", IPHONE)
    assert 'name="password"' not in desk.get(URL).content.decode()  # just logged in
    later = timezone.now() + timedelta(seconds=settings.REAUTH_SECONDS + 60)
    with time_machine.travel(later):
        page = desk.get(URL).content.decode()
        assert page.count('type="password" name="password"') == 2  # the phone's row, and everywhere else
        target = f"{URL}{row_of(phone).pk}/sign-out/"
        missing = desk.post(target, follow=True).content.decode()
        assert "Please enter your password" in missing
        wrong = desk.post(target, {"password": "not my password at all"}, follow=True).content.decode()
        assert "That password is not right. Nothing was signed out." in wrong
        assert AuditEvent.objects.filter(action="auth.login_failed", actor_username="sunrise").count() == 1
        assert signed_in(phone) and not AuditEvent.objects.filter(action="auth.session_end").exists()
        assert desk.post(target, {"password": PASSWORD}).status_code == 302
        assert not signed_in(phone)
        assert AuditEvent.objects.filter(action="auth.session_end").count() == 1
        assert 'name="password"' not in desk.get(URL).content.decode()  # fresh again


def test_a_username_switched_off_is_signed_out_everywhere_at_once(owner, owner_account, member):
    """ASVS 5.0 7.4.2: deleting a username from its last account ends its sessions on the server."""
    from practicegate.access.services import membership_remove

    desk, phone = browser("alice"), browser("alice", IPHONE)
    keys = [desk.session.session_key, phone.session.session_key]
    assert membership_remove(actor=owner, account=owner_account,
                             membership=member.memberships.get(account=owner_account)) is True
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=member).exists()
    assert not signed_in(desk) and not signed_in(phone)


def test_an_administrator_signs_a_username_out_everywhere_from_the_command_line(owner, outsider):
    """ASVS 5.0 7.4.5: `practicegate sessions end --username NAME`, logged on the command line's channel."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    desk, phone, theirs = browser("sunrise"), browser("sunrise", IPHONE, "10.2.2.2"), browser("lakeside")
    listed = StringIO()
    call_command("sessions", "list", "--username", "SUNRISE", stdout=listed)
    text = listed.getvalue()
    assert "Mobile Safari 17 on iOS 17\t10.2.2.2" in text and "sunrise: 2 live session(s)." in text
    assert desk.session.session_key not in text and phone.session.session_key not in text
    out = StringIO()
    call_command("sessions", "end", "--username", "sunrise", stdout=out)
    assert "sunrise: signed out 2 session(s)." in out.getvalue()
    assert not signed_in(desk) and not signed_in(phone) and signed_in(theirs)
    event = AuditEvent.objects.get(action="auth.sessions_end_command")
    assert event.channel == "cli" and event.actor_id is None and event.target_id == str(owner.pk)
    assert event.detail == {"sessions_ended": 2}
    with pytest.raises(CommandError, match="No username"):
        call_command("sessions", "end", "--username", "nobody-here")
