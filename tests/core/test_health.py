"""`/healthz`: the load balancer's probe. Database and migrations; no auth, no data, no event."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from practicegate.audit.models import AuditEvent
from tests.helpers import clean_environ

pytestmark = pytest.mark.django_db


def test_healthy_answers_ok_without_a_session_or_an_event(owner_account):
    before = AuditEvent.objects.count()
    for method in ("get", "head"):
        response = getattr(Client(), method)("/healthz")
        assert response.status_code == 200
        assert "Set-Cookie" not in response and not response.cookies
        assert "no-cache" in response["Cache-Control"]
    assert Client().get("/healthz").json() == {"status": "ok", "database": "ok", "migrations": "applied"}
    assert AuditEvent.objects.count() == before  # not a page view
    assert not Session.objects.exists()


def test_signed_in_probe_is_not_logged_either(owner_client, owner_account):
    before = AuditEvent.objects.count()
    assert owner_client.get("/healthz").status_code == 200
    assert AuditEvent.objects.count() == before


def test_it_only_reads(client):
    assert client.post("/healthz").status_code == 405


def test_an_unapplied_migration_makes_it_unhealthy(client):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DELETE FROM django_migrations WHERE app = 'audit' AND name = '0004_checkpoints_insert_only'")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "unapplied_migrations": 1}


def test_https_redirect_spares_the_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_database_is_503():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    env = {**clean_environ(), "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere", "PRACTICEGATE_CONN_MAX_AGE": "0"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("503 "), result.stderr[-2000:]
    assert '"database": "unreachable"' in result.stdout
