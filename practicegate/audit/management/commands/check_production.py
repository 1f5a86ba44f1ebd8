"""`practicegate check-production`: refuse to call an installation ready when it is not.

Fails (exit 1, one line per problem) on DEBUG on, production settings off, a weak or
generated secret key, a missing or badly kept signing key, a public keyring without
the signing key, an unreachable database or an unapplied migration, or anything
Django's own `check --deploy` warns about. Run it on every host after each deploy:
on the signing host as it is, on app servers with --app-server (which then must hold
no signing key at all).
"""

from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, SystemCheckError
from django.db import connection

from practicegate.audit import keys
from practicegate.core import health

MIN_SECRET_LENGTH = 50
MIN_SECRET_CHARACTERS = 10
_REPOSITORY = Path(settings.BASE_DIR).parent


def secret_problem(secret: str) -> str | None:
    if not secret:
        return "PRACTICEGATE_SECRET_KEY is not set (a key generated into var/ is for one development machine)"
    if len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_CHARACTERS:
        return (f"PRACTICEGATE_SECRET_KEY is weak: use at least {MIN_SECRET_LENGTH} random characters, "
                "e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`")
    if secret.startswith("django-insecure"):
        return "PRACTICEGATE_SECRET_KEY is Django's insecure example key"
    return None


def key_problems(*, app_server: bool) -> list[str]:
    if app_server:
        # Requests never sign: a key on an app server is only one more place to steal it from.
        if keys.signing_key_available():
            return ["this app server holds the activity-log signing key: keep it only on the signing host "
                    "(unset PRACTICEGATE_AUDIT_KEY_PEM, remove the key file)"]
        return []
    ring = keys.read_keyring()
    problems = []
    if not ring:
        problems.append(f"no public keyring at {keys.keyring_path()} (PRACTICEGATE_AUDIT_PUBLIC_KEYS): "
                        "`audit verify` could not check any checkpoint")
    if keys.key_from_environment():
        where = "PRACTICEGATE_AUDIT_KEY_PEM"
    else:
        path = keys.key_path()
        where = str(path)
        if not path.exists():
            return [*problems, f"no activity-log signing key at {path} (PRACTICEGATE_AUDIT_KEY); create it on "
                               "the signing host with `practicegate audit rotate-key`"]
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            problems.append(f"{path} is readable by other users: chmod 600 it")
        if path.resolve().is_relative_to(_REPOSITORY.resolve()):
            problems.append(f"{path} is inside the code tree {_REPOSITORY}: keep keys out of the repository")
    try:
        kid = keys.key_id(keys.private_key(create=False).public_key())
    except (ValueError, OSError, keys.KeyMissing) as exc:
        return [*problems, f"the signing key in {where} cannot be read: {exc}"]
    if ring and kid not in ring:
        problems.append(f"the signing key {kid} is not on the public keyring {keys.keyring_path()}")
    return problems


def deploy_check_problems() -> list[str]:
    out = io.StringIO()
    try:
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    except SystemCheckError as exc:
        return [line.strip() for line in str(exc).splitlines() if re.search(r"\(\w+\.[EW]\d+\)", line)] or [str(exc)]
    return []


class Command(BaseCommand):
    help = "Check that this installation is fit for production; exit 1 with the reasons when not."

    def add_arguments(self, parser):
        parser.add_argument("--app-server", action="store_true",
                            help="This host serves requests: it must hold no signing key (checkpoints are signed "
                                 "on the signing host).")

    def handle(self, *args, app_server=False, **options):
        problems = []
        if settings.DEBUG:
            problems.append("DEBUG is on (PRACTICEGATE_DEBUG): it shows settings and code in error pages")
        if not settings.PRODUCTION:
            problems.append("PRACTICEGATE_PRODUCTION is not 1: secure cookies, HSTS and HTTPS redirects are off")
        secret = secret_problem(settings.SECRET_KEY if os.environ.get("PRACTICEGATE_SECRET_KEY") else "")
        if secret:
            problems.append(secret)
        problems += key_problems(app_server=app_server)
        if not health.database_reachable():
            problems.append("the database does not answer (DATABASE_URL)")
        else:
            missing = sorted(health.unapplied_migrations())
            if missing:
                names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
                problems.append(f"{len(missing)} migration(s) not applied ({names}): run `practicegate migrate`")
            if connection.vendor != "postgresql":
                self.stdout.write("note: the database is SQLite: fine for one server, not for several")
        problems += deploy_check_problems()
        for problem in problems:
            self.stderr.write(f"FAIL: {problem}")
        if problems:
            raise CommandError(f"Not ready for production: {len(problems)} problem(s).", returncode=1)
        self.stdout.write("OK: ready for production.")
