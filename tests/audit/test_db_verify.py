"""PostgreSQL re-hashes the fast walk's batches itself; on both databases a batch that does not fit is named
by the exact walk."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from django.db import connection

from practicegate.audit import chain as chainlib
from practicegate.audit import fastwalk, keys, spelling, verify
from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.services import record
from tests.audit.helpers import Tamper, append, bare_account, chain_of, record_tricky_events

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.postgresql("the verify query runs in the database")


def problems_of(account):
    return [(p.seq, p.kind) for p in verify.verify_chain(chain_of(account), public_keys=[keys.public_key()])]


def confirm_in_db(account, known=None, *, watch=frozenset()):
    """The database's answer for the whole chain as one batch: (rows, confirmed), digests, known details
    (and, appended to new_texts, how many detail texts were new to it)."""
    import psycopg

    connection.ensure_connection()
    known = {} if known is None else known
    digests: dict[int, str] = {}
    rows, confirmed, new = fastwalk._confirm_in_db(psycopg.Cursor(connection.connection), spelling.db_batch_sql(),
                                                 chain_of(account).pk, 1, 2**62, chainlib.GENESIS, watch, digests,
                                                 known)
    new_texts.append(new)
    return (rows, confirmed), digests, known


new_texts: list[int] = []  # detail texts the last calls found new, the latest last


@postgresql
def test_the_database_hashes_each_row_as_chain_canonical_does():
    account = bare_account()
    record_tricky_events(account)
    events = list(AuditEvent.objects.filter(chain=chain_of(account)).order_by("seq"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT head, tail, d FROM ({spelling._pg_rows('seq', ordered=True)}) batch",
                       [chain_of(account).pk, 0, 2**62])
        spelled = cursor.fetchall()
    assert len(spelled) == len(events) == 4
    for (head, tail, detail), event in zip(spelled, events, strict=True):
        ours = head.encode() + fastwalk._canonical_detail(detail.encode()) + tail.encode()
        assert ours == event.prev_hash.encode() + chainlib.canonical(chainlib.fields_of(event))

    (rows, confirmed), digests, known = confirm_in_db(account, watch=frozenset({2, 4}))
    assert (rows, confirmed) == (4, (events[3].hash, events[2].hash))
    assert digests == {2: events[1].hash, 4: events[3].hash}
    assert len(known) == 4 and new_texts[-1] == 4  # each detail text learned, with its canonical JSON
    # Once known, the details are joined in by the database (no second query) and still match.
    assert confirm_in_db(account, known)[0] == (4, (events[3].hash, events[2].hash))
    assert new_texts[-1] == 0


@postgresql
def test_details_beyond_the_remembered_ones_are_hashed_all_the_same(monkeypatch):
    monkeypatch.setattr(fastwalk, "DB_DETAILS", 2)
    account = bare_account()
    append(account, 7)  # seven different details
    (rows, confirmed), _, known = confirm_in_db(account)
    assert rows == 7 and confirmed == (chain_of(account).head_hash, AuditEvent.objects.get(
        chain=chain_of(account), seq=6).hash)
    assert len(known) == 0  # seven do not fit in two: none remembered, each batch sends its own
    with Tamper(chain_of(account)) as t:
        t.flip(4, "detail")
    assert confirm_in_db(account)[0] == (7, None)
    assert problems_of(account) == [(4, "edited")]


def _append_same_detail(account, count):
    for i in range(count):
        record("page.view", account=account, section="reports", target_id=str(i), detail={"path": "/a/x/"})


COLUMNS = ["action", "actor_username", "channel", "ip", "outcome", "request_id", "section", "target_id",
           "target_type", "user_agent", "at", "detail", "prev_hash", "hash"]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("details", ["new in the batch", "known from the batch before"])
def test_one_field_changed_in_the_middle_of_a_batch_is_named(monkeypatch, column, details):
    account = bare_account()
    if details == "new in the batch":  # PostgreSQL: hashed by the second query, for details not seen yet
        append(account, 9)
        seq = 5
    else:  # hashed by the batch's own query, which joins in the details learned from the batch before
        monkeypatch.setattr(fastwalk, "BATCH", 4)
        _append_same_detail(account, 9)
        seq = 6
    with Tamper(chain_of(account)) as t:
        t.flip(seq, column, 3)
    assert problems_of(account) == [(seq, "edited")]
    if connection.vendor == "postgresql" and details == "new in the batch":
        assert confirm_in_db(account)[0] == (9, None)


@pytest.mark.parametrize("column", ["account_id", "actor_id"])
def test_a_changed_number_in_the_middle_of_a_batch_is_named(column):
    account = bare_account()
    append(account, 9)
    with Tamper(chain_of(account)) as t:
        t.set(5, column, 7)
    assert problems_of(account) == [(5, "edited")]
    if connection.vendor == "postgresql":
        assert confirm_in_db(account)[0] == (9, None)


@pytest.mark.parametrize("username", ['say "hi"', "back\\slash", "tab\there", "bell\x07", "unit\x1eseparator"])
def test_a_hash_over_text_spelled_as_stored_does_not_match(username):
    """Someone with database access re-hashes an event over its text as stored (unescaped), not over
    chain.canonical, and moves the head along: the fast walk must not accept what the exact walk refuses."""
    account = bare_account()
    append(account, 3)
    record("page.view", account=account, actor_username=username, detail={"k": 1})
    event = AuditEvent.objects.get(chain=chain_of(account), seq=4)
    escaped = orjson.dumps(username)[1:-1]
    spelled = chainlib.canonical(chainlib.fields_of(event)).replace(escaped, username.encode())
    assert spelled != chainlib.canonical(chainlib.fields_of(event))
    forged = hashlib.sha256(event.prev_hash.encode() + spelled).hexdigest()
    with Tamper(chain_of(account)) as t:
        t.set(4, "hash", forged)
    AuditChain.objects.filter(pk=chain_of(account).pk).update(head_hash=forged)
    assert problems_of(account) == [(4, "edited")]
    if connection.vendor == "postgresql":
        assert confirm_in_db(account)[0] == (4, None)


@postgresql
def test_text_that_needs_escaping_does_not_match_in_the_database_and_still_verifies():
    account = bare_account()
    append(account, 2)
    record("page.view", account=account, target_id='a "quoted" id', detail={"q": 'say "hi"'})
    append(account, 2)
    assert confirm_in_db(account)[0] == (5, None)
    assert problems_of(account) == []


@postgresql
def test_a_wrong_link_or_seq_in_the_database_batch_does_not_match():
    account = bare_account()
    append(account, 6)
    (rows, confirmed), _, _ = confirm_in_db(account)
    assert rows == 6 and confirmed is not None
    with Tamper(chain_of(account)) as t:
        t.delete(3)
    assert confirm_in_db(account)[0] == (5, None)  # seq 1, 2, 4, 5, 6
    assert problems_of(account)[0] == (3, "missing")


def _forge(account, at: int, **changes) -> None:
    """Change event `at`'s columns and give it the hash its new values call for (a consistent forgery)."""
    event = AuditEvent.objects.get(chain=chain_of(account), seq=at)
    for name, value in changes.items():
        setattr(event, name, value)
    digest = chainlib.link(event.prev_hash, chainlib.canonical(chainlib.fields_of(event)))
    with Tamper(chain_of(account)) as t:
        for name, value in changes.items():
            t.set(at, name, value)
        t.set(changes.get("seq", at), "hash", digest)


def test_a_re_hashed_event_that_links_elsewhere_is_named():
    """Its own hash fits its values; only the link to the event before it is wrong."""
    account = bare_account()
    append(account, 6)
    _forge(account, 4, prev_hash="f" * 64)
    assert problems_of(account)[0] == (4, "missing")
    if connection.vendor == "postgresql":
        assert confirm_in_db(account)[0] == (6, None)


def test_a_re_hashed_event_with_a_seq_out_of_turn_is_named():
    """Its hash and link fit; only its seq skips one."""
    account = bare_account()
    append(account, 6)
    _forge(account, 6, seq=7)
    assert problems_of(account)[0] == (6, "missing")
    if connection.vendor == "postgresql":
        assert confirm_in_db(account)[0] == (6, None)


@postgresql
def test_batches_of_mostly_new_details_are_re_hashed_in_python_for_a_while(monkeypatch):
    """Each new detail text goes to the database and back: where most are new, the Python walk costs less."""
    monkeypatch.setattr(fastwalk, "BATCH", 3)
    monkeypatch.setattr(fastwalk, "IN_PYTHON", 2)
    calls = []

    def spy(name, tag):
        real = getattr(fastwalk, name)

        def counted(*args):
            calls.append(tag)
            return real(*args)
        monkeypatch.setattr(fastwalk, name, counted)

    spy("_confirm_in_db", "db")
    spy("_confirm", "python")
    account = bare_account()
    append(account, 12)  # a new detail in each event
    assert problems_of(account) == []
    assert calls == ["db", "python", "python", "db"]
    calls.clear()
    with Tamper(chain_of(account)) as t:
        t.flip(5, "actor_username")  # in a batch re-hashed in Python
    assert problems_of(account) == [(5, "edited")]
    assert calls[:2] == ["db", "python"]


def test_a_re_hashed_last_event_whose_link_has_more_after_it_is_named():
    """Its prev_hash is the right hash with more text after it, its hash is re-computed over that, and the
    head is moved along: the fast walk must not read the right hash at its start as the whole link."""
    account = bare_account()
    append(account, 6)
    if connection.vendor == "postgresql":  # a rebuilt table: the column holds more than 64 characters
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {AuditEvent._meta.db_table} ALTER COLUMN prev_hash TYPE varchar(80)")
    event = AuditEvent.objects.get(chain=chain_of(account), seq=6)
    _forge(account, 6, prev_hash=event.prev_hash + "0")
    AuditChain.objects.filter(pk=chain_of(account).pk).update(
        head_hash=AuditEvent.objects.get(chain=chain_of(account), seq=6).hash)
    assert problems_of(account) == [(6, "missing")]
    if connection.vendor == "postgresql":
        assert confirm_in_db(account)[0] == (6, None)
