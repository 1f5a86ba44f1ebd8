"""Work started on several threads at the same instant, each with its own database connection."""

from __future__ import annotations

import threading

from django.db import connection


def run_at_once(n: int, work) -> list[Exception]:
    """Run `work(i)` for i in range(n) on n threads released together; return what they raised."""
    errors: list[Exception] = []
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            work(i)
        except Exception as exc:  # collected for the caller, which asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
