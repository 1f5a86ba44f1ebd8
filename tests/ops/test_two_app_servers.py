"""Two app servers, one PostgreSQL database, no sticky sessions: every request of a user's
walk goes to the other server, and nothing a later step needs is kept on a server's disk
(sessions, the Find Account -> Join Account token, the pending import, two-factor state,
lock-out counts); a session signed out through one server is refused by the other."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import psycopg
import pytest
from django_otp.oath import totp

from tests.ops import pg
from tests.ops.webclient import CLIENT_IP, HOST, TakeTurns

pytestmark = [pg.on_postgres, pytest.mark.slow]

SECRET = "two-servers-share-this-secret-" + "k3Yq9vXw2Lm8Rt5Zp0Ns7Bd4Hf6Gj1" * 2
PORT_RANGE = range(8070, 8090)
NORTH = ("North Valley Counseling", "northowner", "north valley owner passphrase 7")
SOUTH = ("South Shore Therapy", "southowner", "south shore owner passphrase 3")


def free_ports(count: int) -> list[int]:
    found = []
    for port in PORT_RANGE:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                found.append(port)
        if len(found) == count:
            return found
    pytest.fail(f"no {count} free ports in {PORT_RANGE}")


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def servers(tmp_path):
    """Two `practicegate serve` processes, each with its own empty working and var directory,
    behind an imagined TLS proxy at 127.0.0.1 (which is where the test's requests come from)."""
    with pg.empty_database("two_servers") as (_, url):
        migrate_env = pg.cli_env(url, tmp_path / "migrate-var")
        pg.cli(migrate_env, "migrate", "--noinput")
        ports = free_ports(3)
        procs, dirs = [], []
        for port in ports:
            # The third server names another proxy: it must not believe our X-Forwarded-* headers.
            proxy = "127.0.0.1" if port != ports[2] else "10.9.9.9"
            home = tmp_path / f"server-{port}"
            (home / "var").mkdir(parents=True)
            env = pg.cli_env(url, home / "var", PRACTICEGATE_PRODUCTION="1", PRACTICEGATE_SSL_REDIRECT="0",
                             PRACTICEGATE_SECRET_KEY=SECRET, PRACTICEGATE_ALLOWED_HOSTS=HOST,
                             # App servers hold no signing key: checkpoints are signed by a timer elsewhere.
                             PRACTICEGATE_AUDIT_KEY=str(tmp_path / "no-key-on-app-servers.pem"))
            log = open(home.parent / f"server-{port}.log", "w")
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "practicegate.cli", "serve", "--port", str(port), "--threads", "4",
                 "--trusted-proxy", proxy], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT))
            dirs.append(home)
        try:
            for port in ports:
                pg.wait_for(lambda port=port: _healthy(port), what=f"the server on {port}")
            yield ports[:2], dirs, url, ports[2]
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)


def _healthy(port: int) -> bool:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz", headers={"Host": HOST})
        return conn.getresponse().status == 200
    except OSError:
        return False


def sign_up(browser: TakeTurns, name: str, username: str, password: str) -> str:
    page = browser.submit(browser.get("/"), "Create My Account", {
        "provider_name": name, "email": f"{username}@example.org", "username": username,
        "password1": password, "password2": password})
    assert page.status == 302, page.text[:2000]
    home = browser.follow(page)
    assert home.status == 200 and f"signed in as <strong>{username}</strong>" in home.text
    return home.path.strip("/").split("/")[1]  # /a/<slug>/


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    return f"{totp(b32decode(secret), step=30, t0=0, drift=steps_ahead):06d}"


def test_a_user_walk_alternating_between_two_app_servers(servers):
    ports, dirs, url, untrusting = servers
    north, south = TakeTurns(ports), TakeTurns(ports)
    north_slug = sign_up(north, *NORTH)
    south_slug = sign_up(south, *SOUTH)

    # South imports billing codes: the preview on one server, Import on the other.
    csv = (b"code,description\n90837,Psychotherapy 60 minutes (our words)\n"
           b"90834,Psychotherapy 45 minutes (our words)\n90791,Diagnostic evaluation (our words)\n")
    form = south.get(f"/a/{south_slug}/billing-codes/import/")
    uploaded = south.submit(form, "Preview", files={"file": ("codes.csv", csv)})
    assert uploaded.status == 302 and uploaded.port != form.port
    preview = south.follow(uploaded)
    assert preview.status == 200 and "Every row is valid" in preview.text, preview.text[:3000]
    assert preview.port != uploaded.port
    done = south.submit(preview, "Import 3 billing codes")
    assert done.status == 302 and done.port != preview.port
    listing = south.follow(done)
    assert "90837" in listing.text and "90791" in listing.text

    # Your sessions: South signs in on a second browser; the first signs it out through one
    # server, and the second browser's next request, on the other server, is sent to log in.
    phone = TakeTurns(ports)
    phone_home = phone.follow(phone.submit(phone.get("/login/"), "Log in",
                                           {"username": SOUTH[1], "password": SOUTH[2]}))
    assert f"signed in as <strong>{SOUTH[1]}</strong>" in phone_home.text
    listing = south.get("/me/sessions/")
    assert listing.text.count(">Sign out</button>") == 1 and "This session" in listing.text
    ended = south.submit(listing, "Sign out")  # the row's button comes before "Sign out everywhere else"
    assert ended.status == 302 and ended.location == "/me/sessions/", ended.text[:2000]
    if phone.ports[phone.turn % len(phone.ports)] == ended.port:
        phone.turn += 1  # the phone's next request goes to the server that did not end it
    refused = phone.get(f"/a/{south_slug}/")
    assert refused.port != ended.port
    assert refused.status == 302 and refused.location.startswith("/login/"), refused.text[:2000]
    assert "This session" in south.follow(ended).text  # the first browser stays signed in

    # North turns on two-factor log-in: the secret from one server, the first code to the other.
    setup = north.get("/me/two-factor/set-up/")
    secret = re.search(r'id="totp-secret" data-secret="([A-Z2-7]+)"', setup.text).group(1)
    fields = {"code": code_at(secret)}
    if 'name="password"' in setup.text:
        fields["password"] = NORTH[2]
    turned_on = north.follow(north.submit(setup, "Turn On Two-Factor Log-in", fields))
    assert "recovery" in turned_on.text.lower(), turned_on.text[:2000]

    # Log out and in again: password on one server, the code on the other.
    north.follow(north.submit(north.get(f"/a/{north_slug}/"), "Log out"))
    assert "sessionid" not in north.cookies
    password_step = north.submit(north.get("/login/"), "Log in", {"username": NORTH[1], "password": NORTH[2]})
    code_page = north.follow(password_step)
    assert code_page.path.startswith("/me/two-factor/log-in/"), code_page.path
    home = north.follow(north.submit(code_page, "Log in", {"code": code_at(secret, 1)}))
    assert f"signed in as <strong>{NORTH[1]}</strong>" in home.text, home.text[:2000]

    # Find Account on one server, Join Account (with the token it issued) on the other.
    other = north.follow(north.get(f"/a/{north_slug}/access/other/"))
    if "Find Account" not in other.text:  # asked for the password again first
        other = north.follow(north.submit(other, "Confirm", {"password": NORTH[2]}))
    found = north.submit(other, "Find Account", {"username": SOUTH[1], "password": SOUTH[2], "code": ""})
    assert found.status == 200 and SOUTH[0] in found.text, found.text[:2000]
    joined = north.submit(found, "Join Account")
    assert joined.port != found.port
    assert "can now reach" in north.follow(joined).text

    # Copy Codes: the preview (Continue) on one server, Copy Now on the other.
    start = north.get(f"/a/{north_slug}/access/copy/")
    plan = north.submit(start, "Continue", {"source": south_slug, "destinations": [north_slug],
                                            "files": ["billing"]})
    assert plan.status == 200 and "Copy Now" in plan.text, plan.text[:3000]
    copied = north.follow(north.submit(plan, "Copy Now"))
    assert copied.status == 200, copied.text[:2000]
    north_codes = north.get(f"/a/{north_slug}/billing-codes/")
    assert "90837" in north_codes.text and "90791" in north_codes.text

    # Lock-out counts live in the database: five wrong passwords spread over both servers
    # lock the username on both, even with the right password afterwards.
    intruder = TakeTurns(ports)
    login = intruder.get("/login/")  # one form, posted again and again: the posts alternate
    for _ in range(5):
        intruder.submit(login, "Log in", {"username": SOUTH[1], "password": "wrong guess"})
    for _ in range(2):
        attempt = intruder.submit(login, "Log in", {"username": SOUTH[1], "password": SOUTH[2]})
        assert attempt.status != 302 and "sessionid" not in intruder.cookies
        assert "locked" in attempt.text.lower() or attempt.status in (403, 429), attempt.text[:1500]

    # Every request went to the other server than the one before it, and both served POSTs.
    for walk in (north, south, intruder):
        served = [port for port, *_ in walk.served]
        assert all(a != b for a, b in zip(served, served[1:], strict=False))
        assert {port for port, method, *_ in walk.served if method == "POST"} == set(ports)

    # Nothing was written to any server's disk.
    for home in dirs:
        assert files_under(home) == [], f"{home} holds {files_under(home)}"

    # A server that trusts another proxy drops the forwarded headers: it logs the real peer.
    elsewhere = TakeTurns([untrusting])
    elsewhere.cookies = dict(north.cookies)
    assert elsewhere.get(f"/a/{north_slug}/payers/").status == 200

    with psycopg.connect(url) as conn:
        peer = conn.execute("SELECT ip FROM audit_auditevent WHERE detail->>'path' = %s",
                            [f"/a/{north_slug}/payers/"]).fetchone()[0]
        ips = {row[0] for row in conn.execute(
            "SELECT DISTINCT e.ip FROM audit_auditevent e JOIN accounts_account a ON a.id = e.account_id "
            "WHERE a.slug = %s AND e.detail->>'path' IS DISTINCT FROM %s", [north_slug, f"/a/{north_slug}/payers/"])}
        joins = conn.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'account.join'").fetchone()[0]
        session_ends = conn.execute(
            "SELECT count(*) FROM audit_auditevent WHERE action = 'auth.session_end'").fetchone()[0]
        copies = conn.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'codes.copy'").fetchone()[0]
    assert ips == {CLIENT_IP}  # the proxy's X-Forwarded-For, believed from the trusted proxy only
    assert peer == "127.0.0.1"
    assert joins == 1 and copies >= 1 and session_ends == 1
