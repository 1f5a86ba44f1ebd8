"""Audited pages over HTTP against a bare Django page, both served by gunicorn (2 sync workers)
on 127.0.0.1 under the same bounded load (bench/load.py, 8 clients).

The bare page (bench/bare/) loads the session user, runs one SELECT and one INSERT and renders a
small template, with Django's stock middleware. The audited pages are the account home and the
diagnosis code list of the demo practice: the access rule, the account scope, the frame's menu and
dropdown, and one `page.view` event committed per request (the run checks the count).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import Result

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", 8))
ROUNDS = 3  # as the issue measured (3 runs each), alternating the pages so a busy machine slows each alike; the best counts
CLIENTS = 8
WORKERS = 2
_PORT = int(os.environ.get("BENCH_HTTP_PORT", 8050))  # four ports from here; shared machines pick their own
PORTS = {"sqlite": (_PORT, _PORT + 1), "postgresql": (_PORT + 2, _PORT + 3)}
BACKEND = "practicegate.accounts.backends.UsernameBackend"
_HIT_DDL = {
    "sqlite": "CREATE TABLE bench_bare_hit (id integer PRIMARY KEY AUTOINCREMENT, user_id bigint NOT NULL,"
              " path varchar(200) NOT NULL, at datetime NOT NULL)",
    "postgresql": "CREATE TABLE bench_bare_hit (id bigserial PRIMARY KEY, user_id bigint NOT NULL,"
                  " path varchar(200) NOT NULL, at timestamptz NOT NULL)",
}


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    """gunicorn on 127.0.0.1:port, stopped (by its own pid) when the block ends."""

    def __init__(self, app: str, settings: str, port: int):
        self.port = port
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, DATABASE_URL=_database_url())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}")

    def worker_rss_mb(self) -> float:
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        rss = []
        for child in children:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]) / 1024)
        return max(rss) if rss else 0.0

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _load(port: int, path: str, cookie: str, seconds: float = SECONDS) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load", "--port", str(port), "--path", path, "--cookie", cookie,
         "--clients", str(CLIENTS), "--seconds", str(seconds)],
        cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise AssertionError(f"{path}: {result['errors']} failed requests, e.g. {result['first_errors']}")
    return result


def _statements(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries)


def run() -> list[Result]:
    from practicegate.accounts.demo import DEMO_ACCOUNTS, build_demo
    from practicegate.accounts.models import Account, User
    from practicegate.audit.models import AuditEvent

    build_demo()
    slug, _, username, _ = DEMO_ACCOUNTS[0]
    account = Account.objects.get(slug=slug)
    user = User.objects.get(username=username)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_DDL[connection.vendor])
    client = Client()
    client.force_login(user, backend=BACKEND)
    pages = {"account home": f"/a/{slug}/", "diagnosis code list": f"/a/{slug}/diagnosis-codes/"}
    statements = {name: _statements(client, path) for name, path in pages.items()}
    # The cookies a browser sends back after its first page: the session and the CSRF token
    # (without the token, every page would make a new one, as for a first visit).
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={client.cookies['csrftoken'].value}"
    connection.close()  # the servers' workers use the database now

    ours_port, bare_port = PORTS[connection.vendor]
    best = {name: None for name in [*pages, "bare"]}
    events_missing = 0
    with Server("practicegate.wsgi:application", "practicegate.settings", ours_port) as ours, \
            Server("bench.bare.wsgi:application", "bench.bare.settings", bare_port) as bare:
        _load(ours_port, pages["account home"], cookie, seconds=1)  # warm both
        _load(bare_port, "/bare/", cookie, seconds=1)
        for _ in range(ROUNDS):
            runs = [("bare", bare_port, "/bare/"), *((name, ours_port, path) for name, path in pages.items())]
            for name, port, path in runs:
                before = AuditEvent.objects.filter(account=account, action="page.view").count()
                result = _load(port, path, cookie)
                written = AuditEvent.objects.filter(account=account, action="page.view").count() - before
                connection.close()
                if name != "bare":
                    events_missing += abs(written - result["requests"])
                if best[name] is None or result["rps"] > best[name]["rps"]:
                    best[name] = result
        rss = {"PracticeGate": ours.worker_rss_mb(), "bare": bare.worker_rss_mb()}

    bare_result = best["bare"]
    results = []
    for name in pages:
        r = best[name]
        results += [
            Result(f"HTTP {name} (audited), req/s", r["rps"], "req/s", "bare Django page", bare_result["rps"],
                   target=0.7),  # a guard against regressions (decided in the scale issue)
            Result(f"HTTP {name} p50", r["p50_ms"], "ms", "bare page p50", bare_result["p50_ms"],
                   higher_is_better=False),
            Result(f"HTTP {name} p99", r["p99_ms"], "ms", "bare page p99", bare_result["p99_ms"],
                   higher_is_better=False),
            Result(f"HTTP {name}: statements per request", statements[name], "statements",
                   "bare page", 4, higher_is_better=False),
        ]
    results += [
        Result("HTTP audited runs: events missing or extra", events_missing, "events", absolute_target=0,
               higher_is_better=False),
        Result("gunicorn worker RSS after the load", rss["PracticeGate"], "MB", "bare page's worker",
               rss["bare"], higher_is_better=False),
    ]
    return results
