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

from tests.threads import run_at_once

THREADS, EACH = 4, 25


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="pg-audit-conc-")
    os.environ["PRACTICEGATE_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/conc.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from practicegate.accounts.models import Account, User
    from practicegate.audit.models import AuditEvent
    from practicegate.audit.services import record
    from practicegate.audit.verify import verify_all

    owner = User.objects.create(username="concurrent")
    account = Account.objects.create(slug="conc", name="Conc", email="c@example.org", owner=owner)

    def work(n: int) -> None:
        for i in range(EACH):
            record("page.view", account=account, detail={"thread": n, "i": i})

    errors = [repr(exc) for exc in run_at_once(THREADS, work)]  # the test fails on any
    seqs = list(AuditEvent.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
    _, problems = verify_all(account=account)
    print(json.dumps({"seqs": seqs, "errors": errors, "problems": [str(p) for p in problems],
                      "expected": THREADS * EACH}))


if __name__ == "__main__":
    sys.exit(main())
