"""Run every benchmark on SQLite, and on PostgreSQL when one answers; print one table.

    python -m bench [--only NAME] [--db sqlite|postgres]

Each database run happens in its own process with a fresh, throw-away database.
Exits 1 when a row misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/practicegate_bench")


def _modules(only: str | None):
    import bench

    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("bench_") and (not only or only in info.name):
            yield importlib.import_module(f"bench.{info.name}")


def run_inside(only: str | None) -> None:
    """Child process: set up Django on a fresh database, run the modules, print JSON rows."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practicegate.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        # A real file, not the in-memory database tests use: that is what users run.
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    rows = []
    try:
        for module in _modules(only):
            for result in module.run():
                row = result.as_dict()
                row["module"] = module.__name__
                row["db"] = connection.vendor
                rows.append(row)
                print("ROW " + json.dumps(row), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only")
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        run_inside(args.only)
        return 0

    targets = [args.db] if args.db else ["sqlite"] + (["postgres"] if _postgres_answers() else [])
    rows = []
    for db in targets:
        env = dict(os.environ, PRACTICEGATE_VAR_DIR=tempfile.mkdtemp(prefix="pgbench-"))
        env.pop("DATABASE_URL", None)
        if db == "postgres":
            env["DATABASE_URL"] = PG_URL
        cmd = [sys.executable, "-m", "bench", "--inside"] + (["--only", args.only] if args.only else [])
        print(f"== {db} ==", flush=True)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("ROW "):
                rows.append(json.loads(line[4:]))
            else:
                print(line)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode

    header = f"{'db':9} {'benchmark':52} {'value':>14} {'unit':10} {'ratio':>7} {'target':>8}  ok"
    print("\n" + header + "\n" + "-" * len(header))
    failed = False
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        if r["target"] is not None:
            target = ("≥" if r["higher_is_better"] else "≤") + f"{r['target']:g}"
        elif r["absolute_target"] is not None:
            target = ("≥" if r["higher_is_better"] else "≤") + f"{r['absolute_target']:g}"
        else:
            target = "-"
        ok = {True: "yes", False: "NO", None: ""}[r["ok"]]
        failed |= r["ok"] is False
        print(f"{r['db']:9} {r['name'][:52]:52} {r['value']:>14,.3f} {r['unit']:10} {ratio:>7} {target:>8}  {ok}")
        if r["baseline_name"]:
            print(f"{'':9}   vs {r['baseline_name'][:48]:48} {r['baseline']:>14,.3f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
