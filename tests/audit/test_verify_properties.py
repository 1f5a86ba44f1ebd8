"""Property tests: any single raw-SQL tampering is detected; an untouched chain never is."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practicegate.audit import keys
from practicegate.audit.chain import GENESIS
from practicegate.audit.fastwalk import _fast_stretch
from practicegate.audit.services import record
from practicegate.audit.verify import verify_chain
from tests.audit.helpers import Tamper, bare_account, chain_of

pytestmark = pytest.mark.django_db
PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
event = st.fixed_dictionaries({
    "actor_username": text,
    "section": st.sampled_from(["", "reports", "clients", "settings"]),
    "target_id": text,
    "outcome": st.sampled_from(["success", "denied", "failure"]),
    "detail": st.dictionaries(text, json_value, max_size=4),
})
EDITABLE = ["actor_username", "action", "section", "target_id", "outcome", "ip", "user_agent",
            "request_id", "detail", "at", "hash", "prev_hash", "channel"]


def append_events(account, events):
    for e in events:
        record("page.view", account=account, actor_username=e["actor_username"], section=e["section"],
               target_id=e["target_id"], outcome=e["outcome"], detail=e["detail"])


@PROPERTY
@given(events=st.lists(event, min_size=1, max_size=25))
def test_untouched_chain_is_never_flagged(events):
    account = bare_account()
    append_events(account, events)
    assert verify_chain(chain_of(account), public_keys=[keys.public_key()]) == []


@PROPERTY
@given(events=st.lists(event, min_size=1, max_size=25))
def test_the_database_spells_every_untouched_event_as_orjson_does(events):
    """Any text (quotes, backslashes, control characters, any plane) in an intact chain is
    confirmed: by the fast walk's own bytes, or, for a batch whose text needs escaping, by the
    exact walk it hands that batch to; either way the walk ends at the chain's head."""
    account = bare_account()
    append_events(account, events)
    chain = chain_of(account)
    expected, running, _, stopped = _fast_stretch(chain.pk, 1, 2**62, GENESIS, None, frozenset(), {})
    assert (stopped, expected, running) == (None, len(events) + 1, chain.head_hash)


@st.composite
def tampering(draw):
    events = draw(st.lists(event, min_size=2, max_size=20))
    n = len(events)
    kind = draw(st.sampled_from(["flip", "delete", "insert", "swap", "truncate"]))
    if kind == "flip":
        op = ("flip", draw(st.integers(1, n)), draw(st.sampled_from(EDITABLE)), draw(st.integers(0, 63)))
    elif kind == "delete":
        op = ("delete", draw(st.integers(1, n)))
    elif kind == "insert":
        op = ("insert", draw(st.integers(1, n + 1)), draw(st.booleans()))
    elif kind == "swap":
        op = ("swap", draw(st.integers(1, n - 1)))
    else:
        op = ("truncate", draw(st.integers(0, n - 1)))
    return events, op


@PROPERTY
@given(case=tampering())
def test_any_single_tampering_is_detected(case):
    events, (kind, *args) = case
    account = bare_account()
    append_events(account, events)
    with Tamper(chain_of(account)) as t:
        if kind == "flip":
            seq, column, position = args
            t.flip(seq, column, position)
        elif kind == "insert":
            t.insert(args[0], forge_hash=args[1])
        else:
            getattr(t, kind)(*args)
    problems = verify_chain(chain_of(account), public_keys=[keys.public_key()])
    assert problems, f"{kind} {args} went unnoticed"
    first = problems[0]
    assert first.account == account.slug
    expected_seq = {"flip": args[0], "delete": args[0], "insert": args[0], "swap": args[0]}.get(kind, None)
    if kind == "truncate":
        expected_seq = args[0] + 1
    assert first.seq == expected_seq, (kind, args, first)
