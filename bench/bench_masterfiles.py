"""Master-file list pages and the ICD-10-CM import at 74,000 codes.

- A page deep in the list (keyset) against the first page: should cost about the same.
- A code-prefix search against the first page.
- The set-based ICD-10-CM import's rows per second against saving rows one by one.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from bench import Result

REPEAT = 30


def _best(fn, repeat: int = REPEAT) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run() -> list[Result]:
    from practicegate.accounts.services import account_signup
    from practicegate.core.scoping import account_scope
    from practicegate.masterfiles import icd10, services
    from practicegate.masterfiles.kinds import KINDS
    from practicegate.masterfiles.models import DiagnosisCode

    stamp = str(int(time.time() * 1000))[-8:]
    account = account_signup(provider_name=f"Bench MF {stamp}", email="bench@example.org",
                             username=f"benchmf{stamp}", password="bench passphrase for masterfiles 1")
    icd10.billable_codes()  # the package's XML parse is a one-off per process

    started = time.perf_counter()
    with account_scope(account):
        counts = services.icd10_import(actor=None, account=account, preset="all")
    bulk_rate = counts["added"] / (time.perf_counter() - started)

    # Baseline: the same rows saved one at a time (500 of them), then rolled back.
    rows = icd10.preset_codes("all")[:500]
    other = account_signup(provider_name=f"Bench MF2 {stamp}", email="bench@example.org",
                           username=f"benchmf2{stamp}", password="bench passphrase for masterfiles 2")
    started = time.perf_counter()
    with account_scope(other), transaction.atomic():
        now = timezone.now()
        for code, description in rows:
            DiagnosisCode(account=other, code=code, description=description,
                          created_at=now, updated_at=now).save()
        one_by_one = len(rows) / (time.perf_counter() - started)
        transaction.set_rollback(True)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    kind = KINDS["diagnosis"]
    with account_scope(account):
        return _pages(account, kind, bulk_rate, one_by_one)


def _pages(account, kind, bulk_rate: float, one_by_one: float) -> list[Result]:
    from practicegate.masterfiles import selectors
    from practicegate.masterfiles.models import DiagnosisCode

    last = DiagnosisCode.objects.filter(account=account).order_by("-code").values_list("pk", flat=True)[60]
    # `.rows`: the models, as every caller reads them (a first page makes them only when asked).
    first_page = _best(lambda: selectors.masterfile_page(account, kind).rows)
    deep_page = _best(lambda: selectors.masterfile_page(account, kind, after=last).rows)
    prefix = _best(lambda: selectors.masterfile_page(account, kind, query="Z99").rows)
    words = _best(lambda: selectors.masterfile_page(account, kind, query="cholera").rows, repeat=5)
    ms = 1000
    return [
        # Reported, no target: both sides are in one transaction, so the baseline pays no
        # per-row commit and the gap is only Django's per-statement overhead.
        Result("ICD-10-CM import, rows/s", bulk_rate, "rows/s", "one save per row", one_by_one),
        Result("list: page at the end of 74k codes", deep_page * ms, "ms", "first page",
               first_page * ms, target=3, higher_is_better=False),
        Result("list: code prefix search", prefix * ms, "ms", "first page", first_page * ms,
               target=3, higher_is_better=False),
        Result("list: rare word search", words * ms, "ms", "first page", first_page * ms,
               higher_is_better=False),
    ]
