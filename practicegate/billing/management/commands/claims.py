"""`practicegate claims batch | ack`: claim batches from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from practicegate.billing import claims_cli


class Command(BaseCommand):
    help = "Build a claim batch (an 837P file) or record an acknowledgment (999 or 277CA), as a named username."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        batch = sub.add_parser("batch", help="Put every ready claim of the accounts the username may bill "
                                             "(or those named) in one batch and write its file.")
        batch.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
        batch.add_argument("--account", dest="accounts", action="append", metavar="SLUG",
                           help="an account to bill (repeatable); default: every account the username may bill")
        batch.add_argument("--clearinghouse", type=int, metavar="ID",
                           help="the clearinghouse that sends the batch (needed when there are several)")
        batch.add_argument("--out", required=True, metavar="FILE", help="where to write the 837P file")
        ack = sub.add_parser("ack", help="Record a 999 or 277CA acknowledgment on the batch it answers.")
        ack.add_argument("file", metavar="FILE")
        ack.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
        ack.add_argument("--account", metavar="SLUG", help="the account that sent the batch (when it is ambiguous)")
        ack.add_argument("--batch", type=int, metavar="NUMBER", help="the batch's number (when it is ambiguous)")

    def handle(self, *args, **options):
        run = claims_cli.batch if options["subcommand"] == "batch" else claims_cli.ack
        run(options, stdout=self.stdout)
