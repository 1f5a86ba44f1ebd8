"""`practicegate audit checkpoint | verify [--account SLUG] | public-key | export ...`"""

from __future__ import annotations

import getpass
import sys
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from practicegate.audit import exports, keys
from practicegate.audit.checkpoints import ChainBroken, checkpoint_all
from practicegate.audit.selectors import EventFilter
from practicegate.audit.verify import verify_all


class Command(BaseCommand):
    help = "Activity log: sign checkpoints, verify chains, print the public key, export events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("checkpoint", help="Sign the head of every chain.")
        verify = sub.add_parser("verify", help="Re-compute every chain and check every checkpoint.")
        verify.add_argument("--account", help="Only this account (its slug).")
        verify.add_argument("--public-key", action="append", default=[], metavar="PEM",
                            help="Check signatures with this public key file instead of the local key "
                                 "(repeat for keys used before a rotation).")
        sub.add_parser("public-key", help="Print the public key that verifies checkpoints (PEM).")
        export = sub.add_parser("export", help="Export one account's events.")
        export.add_argument("--account", required=True, help="The account's slug.")
        export.add_argument("--format", choices=sorted(exports.FORMATS), default="csv")
        export.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, subcommand, **options):
        getattr(self, "do_" + subcommand.replace("-", "_"))(**options)

    def _account(self, slug: str):
        # The activity log sits below the accounts app (every service writes to it), so it
        # names the account model by its label, as its foreign keys do.
        account = apps.get_model("accounts", "Account").objects.filter(slug=slug).first()
        if account is None:
            raise CommandError(f"No account with the slug {slug!r}.")
        return account

    def do_checkpoint(self, **options):
        try:
            made = checkpoint_all()
        except ChainBroken as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("A chain is broken; no checkpoint was signed for it. Run `audit verify`.") from exc
        for cp in made:
            label = cp.account.slug if cp.account_id else "system"
            self.stdout.write(f"signed {label} at seq {cp.seq} hash {cp.hash} key {cp.key_id}")
        self.stdout.write(f"{len(made)} checkpoint(s) signed.")

    def do_verify(self, *, account=None, public_key=(), **options):
        target = self._account(account) if account else None
        try:
            public_keys = [keys.load_public_pem(open(path, "rb").read()) for path in public_key] or None
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the public key: {exc}") from exc
        started = time.perf_counter()
        checked, problems = verify_all(account=target, public_keys=public_keys, parallel=True)
        seconds = time.perf_counter() - started
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The activity log is NOT intact: {len(problems)} problem(s).", returncode=2)
        self.stdout.write(f"OK: {checked} events verified in {seconds:.2f}s; every chain and checkpoint is intact.")

    def do_public_key(self, **options):
        self.stdout.write(keys.public_pem().rstrip("\n"))
        self.stderr.write(f"key id {keys.key_id(keys.public_key())}")

    def do_export(self, *, account, format, output=None, **options):
        target = self._account(account)
        count, rows = exports.audit_export(
            actor=None, account=target, flt=EventFilter(), fmt=format,
            actor_username=f"cli:{getpass.getuser()}"[:150],
        )
        binary = format == "fhir"
        handle = open(output, "wb" if binary else "w", newline="" if not binary else None) if output else None
        try:
            sink = handle or (sys.stdout.buffer if binary else self.stdout)
            for chunk in exports.stream(format, rows, target):
                sink.write(chunk)
        finally:
            if handle:
                handle.close()
        self.stderr.write(f"exported {count} event(s)")
