"""`practicegate audit checkpoint | verify | rotate-key | public-key | export | ship ...`"""

from __future__ import annotations

import getpass
import os
import sys
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from practicegate.audit import exports, integrity, keys, shipping
from practicegate.audit.checkpoints import ChainBroken, checkpoint_all
from practicegate.audit.models import Channel
from practicegate.audit.selectors import EventFilter
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all


class Command(BaseCommand):
    help = "Activity log: sign checkpoints, verify chains, print the public key, export events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("checkpoint", help="Sign the head of every chain that grew (run it from a timer).")
        verify = sub.add_parser("verify", help="Re-compute every chain and check every checkpoint.")
        verify.add_argument("--account", help="Only this account (its slug).")
        verify.add_argument("--keyring", metavar="PEM",
                            help="Trust only the public keys in this file (default: the configured keyring "
                                 "plus the local signing key, if this machine has one).")
        verify.add_argument("--public-key", action="append", default=[], metavar="PEM",
                            help="Trust this public key file (repeatable); with --keyring or --public-key, "
                                 "only the keys given are trusted.")
        rotate = sub.add_parser("rotate-key", help="Sign every chain's head with the current key, then "
                                                   "replace the key; both public keys stay on the keyring.")
        rotate.add_argument("--print-new", action="store_true",
                            help="For a key kept in PRACTICEGATE_AUDIT_KEY_PEM: print a new key (base64) "
                                 "to put there, after adding its public key to the keyring.")
        sub.add_parser("public-key", help="Print the public key that verifies checkpoints (PEM).")
        ship = sub.add_parser("ship", help="Write events as JSON lines for a log collector, resuming "
                                           "per account from the last shipped position.")
        ship.add_argument("--format", choices=shipping.FORMATS, default="jsonl")
        ship.add_argument("--account", help="Only this account (its slug).")
        ship.add_argument("--since", type=int, metavar="SEQ",
                          help="Ship events after this sequence number (instead of the saved position).")
        ship.add_argument("--state", metavar="FILE",
                          help="Where the last shipped position of each chain is kept (read, then updated).")
        ship.add_argument("--output", metavar="FILE", help="Append to this file (default: standard output).")
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
        except keys.KeyMissing as exc:
            raise CommandError(f"{exc}. Create one with `practicegate audit rotate-key` on the signing host "
                               "(docs/operations.md).") from exc
        for cp in made:
            label = cp.account.slug if cp.account_id else "system"
            self.stdout.write(f"signed {label} at seq {cp.seq} hash {cp.hash} key {cp.key_id}")
        self.stdout.write(f"{len(made)} checkpoint(s) signed.")

    def do_verify(self, *, account=None, keyring=None, public_key=(), **options):
        target = self._account(account) if account else None
        try:
            extra = [keys.load_public_pem(open(path, "rb").read()) for path in public_key]
            if keyring is not None and not os.path.exists(keyring):
                raise OSError(f"no keyring file {keyring}")
            if keyring is None and not extra:
                public_keys = keys.verification_keys()
            else:  # trust exactly the keys given, as an auditor would
                public_keys = [*(keys.read_keyring(keyring).values() if keyring else ()), *extra]
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the public key: {exc}") from exc
        started = time.perf_counter()
        checked, problems = verify_all(account=target, public_keys=public_keys, parallel=True)
        # Rows the apps keep beside their events (registered with audit.integrity), held to those events.
        mismatches = integrity.mismatches(account=target)
        seconds = time.perf_counter() - started
        for problem in [*problems, *mismatches]:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The activity log is NOT intact: {len(problems)} problem(s).", returncode=2)
        if mismatches:
            raise CommandError(f"{len(mismatches)} row(s) kept beside the activity log no longer match "
                               "their events.", returncode=2)
        self.stdout.write(f"OK: {checked} events verified in {seconds:.2f}s; every chain and checkpoint is intact, "
                          "and every row kept beside an event matches it.")

    def do_rotate_key(self, *, print_new=False, **options):
        if print_new:
            kid, value = keys.new_key_for_environment()
            self.stderr.write(f"new key {kid} added to the keyring {keys.keyring_path()}; set "
                              "PRACTICEGATE_AUDIT_KEY_PEM to the line below on the signing host, then "
                              "run `audit checkpoint`.")
            self.stdout.write(value)
            return
        if keys.signing_key_available():
            self.do_checkpoint()  # the old key's last word: every head as it is now
        try:
            old, new = keys.rotate()
        except keys.KeyMissing as exc:
            raise CommandError(str(exc)) from exc
        record("audit.key_rotate", account=None, channel=Channel.CLI,
               actor_username=f"cli:{getpass.getuser()}"[:150], detail={"old_key": old or "", "new_key": new})
        self.stdout.write(f"rotated: old key {old or '(none)'} -> new key {new}; keyring {keys.keyring_path()}")
        self.stdout.write("Back up the new key now (docs/operations.md) and give auditors the keyring.")

    def do_ship(self, *, format, account=None, since=None, state=None, output=None, **options):
        target = self._account(account) if account else None
        if since is not None and since < 0:
            raise CommandError("--since must be 0 or more.")
        try:
            saved = shipping.ShipState.load(state)
            handle = open(output, "ab") if output else None
        except (OSError, shipping.ShipError) as exc:
            raise CommandError(str(exc)) from exc
        try:
            done = shipping.ship(handle or sys.stdout.buffer, state=saved, account=target, since=since)
        except shipping.ShipError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if handle:
                handle.close()
        total = sum(s.count for s in done)
        if total:
            record("audit.ship", account=None, channel=Channel.CLI,
                   actor_username=f"cli:{getpass.getuser()}"[:150],
                   detail={"events": total, "chains": len(done), "format": format})
        for s in done:
            self.stderr.write(f"shipped {s.chain} {s.first}..{s.last}")
        self.stderr.write(f"shipped {total} event(s) from {len(done)} chain(s)")

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
