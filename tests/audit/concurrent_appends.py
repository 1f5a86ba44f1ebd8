"""Run as a program: threads append to one account's chain in a fresh SQLite *file*
database, then print the sequence numbers and the verifier's verdict as JSON.

The in-memory test database cannot show this: its threads share one cache and
fail with "table is locked" instead of queueing as separate connections to a file do.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading

THREADS, EACH = 4, 25


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="pg-audit-conc-")
    os.environ["PRACTICEGATE_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/conc.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from practicegate.accounts.models import Account, User
    from practicegate.audit.models import AuditEvent
    from practicegate.audit.services import record
    from practicegate.audit.verify import verify_all

    owner = User.objects.create(username="concurrent")
    account = Account.objects.create(slug="conc", name="Conc", email="c@example.org", owner=owner)
    errors: list[str] = []
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        start.wait()
        try:
            for i in range(EACH):
                record("page.view", account=account, detail={"thread": n, "i": i})
        except Exception as exc:  # reported to the test, which fails on any
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = list(AuditEvent.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
    _, problems = verify_all(account=account)
    print(json.dumps({"seqs": seqs, "errors": errors, "problems": [str(p) for p in problems],
                      "expected": THREADS * EACH}))


if __name__ == "__main__":
    sys.exit(main())
