"""Run as a program: walk one chain on several processes over an SQLite *file* database,
before and after an edit made with raw SQL; print the outcomes as JSON.

The in-memory test database cannot show this: worker processes cannot share it.
"""

from __future__ import annotations

import json
import os
import tempfile


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="pg-audit-par-")
    os.environ["PRACTICEGATE_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/par.sqlite3"
    os.environ["PRACTICEGATE_AUDIT_PARALLEL_MIN_EVENTS"] = "10"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from practicegate.accounts.models import Account, User
    from practicegate.audit import keys, parallel, triggers
    from practicegate.audit.models import AuditChain
    from practicegate.audit.services import record
    from practicegate.audit.verify import verify_chain

    owner = User.objects.create(username="parallel")
    account = Account.objects.create(slug="par", name="Par", email="p@example.org", owner=owner)
    for i in range(60):
        record("page.view", account=account, actor=owner, detail={"i": i})
    chain = AuditChain.objects.get(account=account)

    def outcome():
        chain.refresh_from_db()
        walked = parallel.walk_chain(chain.pk, after_seq=0, after_hash="0" * 64, head_seq=chain.seq,
                                     watch=frozenset({chain.seq}), workers=3)
        problems = verify_chain(chain, public_keys=[keys.public_key()], parallel=True)
        summary = None if walked is None else {"last": walked.last,
                                               "matches_head": walked.digests.get(chain.seq) == chain.head_hash}
        return summary, [[p.seq, p.kind] for p in problems]

    intact_walk, intact_problems = outcome()
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_username = 'intruder' WHERE chain_id = %s AND seq = 33",
                       [chain.pk])
    triggers.install(connection)
    tampered_walk, tampered_problems = outcome()
    print(json.dumps({"intact_walk": intact_walk, "intact_problems": intact_problems,
                      "tampered_walk": tampered_walk, "tampered_problems": tampered_problems}))


if __name__ == "__main__":
    main()
