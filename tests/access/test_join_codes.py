"""Join codes: one-time, 24 hours, stored hashed, shown once, easy to read out and type back."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practicegate.access import codes, services
from practicegate.access.models import JoinCode
from practicegate.accounts.models import Membership
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import events, url
from tests.helpers import (
    add_member,
    login_client,
    make_account,
    make_user,
    rows_everywhere,
    rows_of,
)

pytestmark = pytest.mark.django_db


def create_code(client, account) -> str:
    response = client.post(url(account, "join-codes"))
    assert response.status_code == 200
    return response.context["new_code"]


def redeem(client, account, code):
    return client.post(url(account, "redeem"), {"join_code": code})


def test_a_code_is_shown_once_and_stored_hashed(other_account, outsider):
    client = login_client(outsider)
    raw = create_code(client, other_account)
    stored = rows_of(JoinCode, other_account).get()
    assert stored.code_hash == hashlib.sha256(raw.replace("-", "").encode()).hexdigest()
    assert raw not in str(rows_everywhere(JoinCode).values_list().get())
    assert raw not in client.get(url(other_account, "join-codes")).content.decode()
    event = events(other_account, "account.join_code_create").get()
    assert raw not in str(event.detail)
    assert 23.9 * 3600 < (stored.expires_at - stored.created_at).total_seconds() <= 24 * 3600


def test_redeeming_joins_and_logs_both_sides(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    web = login_client(joiner)
    response = redeem(web, owner_account, raw)
    assert response.status_code == 302
    assert Membership.objects.filter(user=joiner, account=other_account).exists()
    assert events(other_account, "account.join").get().detail["via"] == "join_code"
    assert events(owner_account, "account.join_other").get().actor_id == joiner.id
    assert rows_everywhere(JoinCode).get().used_by == joiner


def test_a_code_is_single_use(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    redeem(login_client(joiner), owner_account, raw)
    second = make_user("second")
    add_member(owner_account, second)
    response = redeem(login_client(second), owner_account, raw)
    page = response.content.decode()
    assert response.status_code == 400 and "This join code has already been used" in page
    assert other_account.name not in page.split("<main")[1]
    assert not Membership.objects.filter(user=second, account=other_account).exists()
    failed = events(owner_account, "account.join_failed").get()
    assert failed.actor_id == second.id and failed.detail["reason"] == "join_code_used"


def test_a_code_expires_after_24_hours(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        response = redeem(login_client(joiner), owner_account, raw)
    page = response.content.decode()
    assert response.status_code == 400 and "This join code has expired" in page
    assert other_account.name not in page.split("<main")[1]
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "join_code_expired"
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_an_existing_member_does_not_use_the_code_up(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    add_member(other_account, joiner)
    response = redeem(login_client(joiner), owner_account, raw)
    assert response.status_code == 400 and "already has access" in response.content.decode()
    assert rows_everywhere(JoinCode).get().used_at is None


def test_the_conditional_update_lets_only_one_redemption_through(joiner, owner_account, other_account, outsider):
    code, raw = services.join_code_create(actor=outsider, account=other_account)
    rows_everywhere(JoinCode).filter(pk=code.pk).update(used_at=timezone.now())  # another request won the race
    with pytest.raises(ServiceError):
        services.join_code_redeem(actor=joiner, from_account=owner_account, raw_code=raw)
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_revoked_codes_do_not_work(joiner, owner_account, other_account, outsider):
    client = login_client(outsider)
    raw = create_code(client, other_account)
    code = rows_everywhere(JoinCode).get()
    assert client.post(url(other_account, "join-code-revoke", code_id=code.pk)).status_code == 302
    assert events(other_account, "account.join_code_revoke").exists()
    response = redeem(login_client(joiner), owner_account, raw)
    assert response.status_code == 400 and "This join code was revoked" in response.content.decode()


def test_codes_of_another_account_cannot_be_revoked(owner_client, owner_account, other_account, outsider):
    services.join_code_create(actor=outsider, account=other_account)
    code = rows_everywhere(JoinCode).get()
    assert owner_client.post(url(owner_account, "join-code-revoke", code_id=code.pk)).status_code == 404
    assert rows_everywhere(JoinCode).get().revoked_at is None


def test_view_only_sees_codes_but_cannot_create(owner_account, member):
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=member).update(levels=levels)
    client = login_client(member)
    page = client.get(url(owner_account, "join-codes"))
    assert page.status_code == 200 and "Create Join Code" not in page.content.decode()
    assert client.post(url(owner_account, "join-codes")).status_code == 403
    assert not rows_everywhere(JoinCode).exists()


@pytest.mark.parametrize("code", ["", "x" * 101, "pgj-\x00", "pgj-\u200b", "nope", "K7QF-9M2D-XW4P-3H8T-6R2U",
                                  "K7QF-9M2D-XW4P-3H8T-6R2", "K7QF-9M2D-XW4P-3H8T-6R2AA", "K7QF+9M2D+XW4P+3H8T+6R2A"])
def test_malformed_codes_get_a_message(joiner, owner_account, code):
    response = redeem(login_client(joiner), owner_account, code)
    assert response.status_code == 400
    assert response.context["redeem_form"].errors
    assert Membership.objects.filter(user=joiner).count() == 1


def test_new_codes_are_100_random_bits_in_groups_of_four_without_look_alikes(outsider, other_account):
    made = {services.join_code_create(actor=outsider, account=other_account)[1] for _ in range(50)}
    assert len(made) == 50
    for raw in made:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", raw), raw
    assert codes.LENGTH * 5 >= 100 and len(codes.ALPHABET) == 32
    assert not set("ILOU") & set(codes.ALPHABET)


@pytest.mark.parametrize("typed", [
    lambda c: c.lower(),                                      # read out on the phone, typed in lower case
    lambda c: c.replace("-", ""),                             # without dashes
    lambda c: " ".join(c.lower().split("-")),                 # with spaces
    lambda c: f"  {c.replace('-', ' - ')}  ",                 # spaces around the dashes
    lambda c: c.replace("-", "\u2013"),                       # dashes a word processor made
    lambda c: c.replace("0", "o").replace("1", "l"),          # look-alikes for 0 and 1
    lambda c: c.replace("1", "I").replace("0", "O").lower(),
])
def test_a_code_is_accepted_in_any_case_with_or_without_dashes(typed, joiner, owner_account, other_account, outsider):
    code, raw = services.join_code_create(actor=outsider, account=other_account)
    canonical = raw.replace("-", "")
    # Put a 0 and a 1 in it, so the look-alike cases have something to replace.
    canonical = "01" + canonical[2:]
    rows_everywhere(JoinCode).filter(pk=code.pk).update(code_hash=hashlib.sha256(canonical.encode()).hexdigest())
    raw = codes.display(canonical)
    response = redeem(login_client(joiner), owner_account, typed(raw))
    assert response.status_code == 302, response.context["redeem_form"].errors
    assert Membership.objects.filter(user=joiner, account=other_account).exists()


def test_a_wrong_code_is_not_a_valid_join_code_and_names_no_account(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    wrong = codes.display("".join(secrets.choice(codes.ALPHABET) for _ in range(codes.LENGTH)))
    assert wrong != raw
    response = redeem(login_client(joiner), owner_account, wrong)
    page = response.content.decode()
    assert response.status_code == 400 and "That is not a valid join code" in page
    assert "expired" not in page.split("<main")[1]
    assert other_account.name not in page.split("<main")[1]
    assert events(owner_account, "account.join_failed").get().detail["reason"] == "join_code_invalid"
    assert rows_everywhere(JoinCode).get().used_at is None


def test_an_old_format_code_still_works_until_it_expires(joiner, owner_account, other_account, outsider):
    """Codes made before the upgrade (pgj- and URL-safe characters) were stored as typed: they are
    honoured for the rest of their 24 hours, case-sensitively as before."""
    old = "pgj-" + secrets.token_urlsafe(24)
    JoinCode.objects.bulk_create([JoinCode(account=other_account, created_by=outsider,
                                           code_hash=hashlib.sha256(old.encode()).hexdigest(),
                                           expires_at=timezone.now() + timedelta(hours=2))])
    assert redeem(login_client(joiner), owner_account, old.swapcase()).status_code == 400
    assert redeem(login_client(joiner), owner_account, f" {old} ").status_code == 302
    assert Membership.objects.filter(user=joiner, account=other_account).exists()


def test_the_new_code_page_offers_a_copy_button_that_works_without_script(outsider, other_account):
    client = login_client(outsider)
    response = client.post(url(other_account, "join-codes"))
    page = response.content.decode()
    raw = response.context["new_code"]
    assert f'<code class="join-code" id="new-join-code">{raw}</code>' in page
    # The button is hidden until join-code.js (a file, as the CSP asks) shows it.
    assert re.search(r'<button type="button" class="copy-code" data-copy-from="new-join-code" hidden>Copy</button>',
                     page)
    assert re.search(r'<script src="[^"]*access/join-code[^"]*\.js" defer></script>', page)
    assert "onclick" not in page


def test_a_code_joins_only_its_own_account(joiner, owner_account, other_account, outsider):
    third = make_account("Harbor Psychology", "harbor")
    raw = create_code(login_client(outsider), other_account)
    redeem(login_client(joiner), owner_account, raw)
    assert not Membership.objects.filter(user=joiner, account=third).exists()
