"""One copy in its own process, for the concurrency and killed-process tests (test-only).

    python -m tests.masterfiles.copy.copy_worker SOURCE DEST USERNAME [--pause]

DATABASE_URL names the database shared with the test. With --pause the process
stops right after its first INSERT into a master file, inside the copy's
transaction, prints PAUSED and waits for a line on stdin: the test then kills
it or lets it go on. The pause is a Django execute_wrapper installed here, so
the product code carries no test hook.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection

    from practicegate.masterfiles import copy_cli

    source, dest, username = argv[:3]
    pause = "--pause" in argv
    paused = []

    def pause_after_first_insert(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if pause and not paused and sql.lstrip().upper().startswith("INSERT INTO") and "masterfiles_" in sql:
            paused.append(True)
            print("PAUSED", flush=True)
            sys.stdin.readline()
        return result

    print("STARTING", flush=True)
    with connection.execute_wrapper(pause_after_first_insert):
        copy_cli.run({"from_account": source, "to": [dest], "files": "diagnosis,billing,payers",
                      "replace_different": True, "dry_run": False, "as_username": username})
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
