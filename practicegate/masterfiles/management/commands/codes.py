"""`practicegate codes import-icd10 | copy`: master files from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from practicegate.accounts.models import Account, User
from practicegate.audit.models import Channel
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.icd10 import PRESETS
from practicegate.masterfiles.services import icd10_import
from practicegate.records.pending import pending_imports_purge


def find_user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.named(username).first()
    if user is None:
        raise CommandError(f"No username {username!r}.")
    return user


class Command(BaseCommand):
    help = ("Work with the master files: import ICD-10-CM codes, copy codes between accounts, "
            "purge expired CSV import previews.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        icd = sub.add_parser("import-icd10", help="Add the billable ICD-10-CM codes of a preset.")
        icd.add_argument("--account", required=True, help="the account's slug (as in its URL)")
        icd.add_argument("--preset", required=True, choices=sorted(PRESETS))
        icd.add_argument("--as", dest="as_user", metavar="USERNAME",
                         help="username recorded in the activity log (optional)")

        copy = sub.add_parser("copy", help="Copy master files from one account to others.")
        copy.add_argument("--from", dest="from_account", required=True, metavar="ACCOUNT")
        copy.add_argument("--to", dest="to_accounts", required=True, action="append",
                          metavar="ACCOUNT")
        copy.add_argument("--files", required=True, help="comma-separated: diagnosis,billing,payers")
        copy.add_argument("--replace-different", action="store_true")
        copy.add_argument("--dry-run", action="store_true")
        copy.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")

        sub.add_parser("purge-imports", help="Delete expired CSV import previews (run it from a timer, "
                                             "e.g. hourly); logs one event per account.")

    def handle(self, *args, **options):
        if options["subcommand"] == "copy":
            from practicegate.masterfiles.copy_cli import run  # the copy feature's own module

            return run(options, stdout=self.stdout, stderr=self.stderr)
        if options["subcommand"] == "purge-imports":
            return self.purge_imports()
        return self.import_icd10(options)

    def purge_imports(self):
        removed = pending_imports_purge()
        self.stdout.write(f"Removed {removed} expired CSV import preview(s).")

    def import_icd10(self, options):
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"No account {options['account']!r}.")
        actor = find_user(options.get("as_user"))
        if actor is not None and not account.memberships.filter(user=actor).exists():
            raise CommandError(f"{actor.username!r} is not a username of {account.slug!r}.")
        try:
            with account_scope(account):
                counts = icd10_import(actor=actor, account=account, preset=options["preset"],
                                      channel=Channel.CLI)
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{account.slug}: added {counts['added']:,} ICD-10-CM codes; "
            f"{counts['existing']:,} of the {counts['offered']:,} in '{options['preset']}' were already there."
        ))
