"""Over random privilege grids (a level on Billing per account, or not joined), two-factor
requirements, verified or unverified sessions and chosen account sets: no claim of an account
the username may not bill is put in a batch, counted on Claims in all my accounts, or written
into the log of an account the batch did not touch."""

from __future__ import annotations

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practicegate.audit.context import AuditContext
from practicegate.audit.models import AuditEvent, Channel
from practicegate.billing import batches
from practicegate.billing.claims_all import claims_overview
from practicegate.billing.models import Claim, ClaimStatus
from practicegate.core.sections import SECTION_KEYS, Level
from tests.billing.batch_factories import clearinghouse, ready_claims, unbilled_service
from tests.helpers import add_member, make_account, make_user

PROVIDERS = 4
LEVELS = st.sampled_from([None, Level.NONE, Level.VIEW, Level.FULL])  # None: not joined


def _session(user, verified: bool) -> AuditContext:
    """A web request's context; `verified`: the session entered a code (as django-otp marks it)."""
    context = AuditContext(actor=user, channel=Channel.WEB)
    user.is_verified = lambda: verified
    return context


def test_no_claim_of_an_account_the_username_may_not_bill_leaks(db):
    hub = make_account("Billing Hub", "hub")
    providers = [make_account(f"Provider {i}", f"provider-{i}") for i in range(PROVIDERS)]
    for account in providers:
        ready_claims(account, 2)
        unbilled_service(account)
    house = clearinghouse(hub)
    user = make_user("property-biller")
    add_member(hub, user)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
    @given(grid=st.lists(LEVELS, min_size=PROVIDERS, max_size=PROVIDERS),
           two_factor=st.lists(st.booleans(), min_size=PROVIDERS, max_size=PROVIDERS),
           verified=st.booleans(),
           chosen=st.lists(st.booleans(), min_size=PROVIDERS, max_size=PROVIDERS))
    def check(grid, two_factor, verified, chosen):
        with transaction.atomic():
            for account, level, required in zip(providers, grid, two_factor, strict=True):
                account.require_two_factor = required
                account.save(update_fields=["require_two_factor"])
                if level is not None:
                    add_member(account, user, {k: int(Level.FULL) for k in SECTION_KEYS} | {"billing": int(level)})
            may_bill = {a.pk for a, level, required in zip(providers, grid, two_factor, strict=True)
                        if level == Level.FULL and (verified or not required)}
            picked = [a for a, pick in zip(providers, chosen, strict=True) if pick]
            expected = {a.pk for a in picked} & may_bill
            context = _session(user, verified)
            since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

            overview = claims_overview(user, context=context)
            counted = {row.account.pk for row in overview.rows if row.account.pk != hub.pk}
            assert counted == may_bill
            assert all((row.ready, row.unbilled) == (2, 1) for row in overview.rows if row.account.pk != hub.pk)

            try:
                batch = batches.batch_create(actor=user, account=hub, clearinghouse=house, accounts=picked,
                                             context=context)
            except batches.NothingToBatch:
                assert expected == set()
                batched = set()
            else:
                batched = set(Claim.objects.with_scopes_disabled().filter(batch=batch)
                              .values_list("account_id", flat=True))
                assert batched == expected == set(batch.account_ids)
                assert batch.claim_count == 2 * len(expected)
            in_batch = set(Claim.objects.with_scopes_disabled().filter(status=ClaimStatus.IN_BATCH)
                           .values_list("account_id", flat=True))
            assert in_batch == batched
            logged = set(AuditEvent.objects.filter(id__gt=since, action__startswith="batch.")
                         .values_list("account_id", flat=True))
            assert logged == (batched | {hub.pk} if batched else set())
            transaction.set_rollback(True)

    check()
