"""Copy Codes to Another Account against the bare SQL INSERT ... SELECT of the same rows.

Source: every billable ICD-10-CM code (about 74,000, from simple-icd-10-cm),
1,000 billing codes and 1,000 insurance payers, loaded with batched INSERTs.
Each round copies into a fresh empty account, once with the bare statements
(the floor: no checks, no counts, no log) and once through the copy service;
then the service copies again into the now-full account (everything exists).
The best of several rounds is kept for each, on the same database in one run.
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from bench import Result

ROUNDS = 3
TARGET = 1.5


def _icd10_billable() -> list[tuple[str, str]]:
    """The very codes the "All billable codes" import preset adds."""
    from practicegate.masterfiles.icd10 import billable_codes

    return list(billable_codes())


def _insert_many(table_model, columns: list[str], rows: list[tuple], batch: int = 500) -> None:
    """Batched multi-row INSERTs: set-based loading without going through model instances."""
    meta = table_model._meta
    table = connection.ops.quote_name(meta.db_table)
    cols = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            cursor.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))}",
                           [value for row in chunk for value in row])


def _setup():
    from practicegate.accounts.models import Account, Membership, User
    from practicegate.core.sections import full_levels
    from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

    user = User.objects.create(username="bench-master")
    made = []

    def account(slug: str) -> Account:
        acct = Account.objects.create(slug=slug, name=slug, email="bench@example.org", owner=user)
        Membership.objects.create(user=user, account=acct, levels=full_levels())
        made.append(acct)
        return acct

    source = account("bench-source")
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    codes = _icd10_billable()
    with transaction.atomic():
        _insert_many(DiagnosisCode, ["account", "code", "description", "active", "created_at", "updated_at",
                                     "version"],
                     [(source.pk, c, d, i % 50 != 0, stamp, stamp, 1) for i, (c, d) in enumerate(codes)])
        _insert_many(BillingCode, ["account", "code", "description", "modifier1", "modifier2", "modifier3",
                                   "modifier4", "fee", "units", "active", "created_at", "updated_at", "version"],
                     [(source.pk, f"{90000 + i:05d}", f"Procedure {i}", "95" if i % 3 == 0 else "", "", "", "",
                       connection.ops.adapt_decimalfield_value(Decimal(100 + i % 200), 9, 2), 1, True,
                       stamp, stamp, 1) for i in range(1000)])
        _insert_many(InsurancePayer, ["account", "name", "payer_id", "address", "city", "state", "zip_code",
                                      "phone", "payer_type", "notes", "active", "created_at", "updated_at", "version"],
                     [(source.pk, f"Payer {i}", f"P{i:05d}" if i % 10 else "", f"{i} Main St", "Springfield",
                       "IL", "62701", "555-0100", "commercial", "", True, stamp, stamp, 1) for i in range(1000)])
    return user, source, account, len(codes)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run() -> list[Result]:
    from practicegate.masterfiles import copy_sql
    from practicegate.masterfiles.copy import codes_copy
    from practicegate.masterfiles.copy_sql import FILES

    user, source, new_account, n_icd = _setup()
    rows = n_icd + 2000

    def bare(dest):
        with transaction.atomic():
            now = timezone.now()
            for f in FILES.values():
                copy_sql.bare_insert(f, source.pk, dest.pk, now)

    def service(dest):
        [result] = codes_copy(actor=user, source_slug=source.slug, destination_slugs=[dest.slug],
                              files=list(FILES))
        return result

    bare(new_account("bench-warmup"))
    bare_s, copy_s, again_s = [], [], []
    for i in range(ROUNDS):
        empty = new_account(f"bench-bare-{i}")
        bare_s.append(_timed(partial(bare, empty)))
        dest = new_account(f"bench-copy-{i}")
        copy_s.append(_timed(partial(service, dest)))
        again_s.append(_timed(partial(service, dest)))
    check = service(dest)
    assert sum(f.added for f in check.files) == 0 and sum(f.identical for f in check.files) == rows

    baseline = f"bare INSERT ... SELECT of {rows:,} rows"
    return [
        Result(f"copy {rows:,} code rows into an empty account", min(copy_s), "s",
               baseline_name=baseline, baseline=min(bare_s), target=TARGET, higher_is_better=False),
        Result(f"copy again when all {rows:,} rows exist", min(again_s), "s",
               baseline_name=baseline, baseline=min(bare_s), target=TARGET, higher_is_better=False),
    ]
