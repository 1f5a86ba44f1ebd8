"""`practicegate codes copy`: Copy Codes to Another Account from the command line.

The `codes` command's `copy` subparser hands its options here. The copy runs
as a named username, with that username's privileges, and is logged with
channel cli like any other action.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import CommandError

from practicegate.accounts.models import User
from practicegate.audit.models import Channel
from practicegate.core.errors import ServiceError
from practicegate.masterfiles.copy import codes_copy, copy_plan, copy_preview
from practicegate.masterfiles.copy_sql import FILES


def add_arguments(parser) -> None:
    """The options run() expects, for a `copy` subparser that wants them spelled once."""
    parser.add_argument("--from", dest="from_account", required=True, help="Copy From account (slug)")
    parser.add_argument("--to", action="append", required=True, help="Copy To account (slug); repeatable")
    parser.add_argument("--files", required=True, help="comma-separated: " + ",".join(FILES))
    parser.add_argument("--replace-different", action="store_true",
                        help="overwrite codes that exist in both with differences (default: keep them)")
    parser.add_argument("--dry-run", action="store_true", help="show what would be copied; change nothing")
    parser.add_argument("--as", dest="as_username", required=True, help="username the copy runs as")


def _counts_line(f, *, replaced: bool) -> str:
    line = f"  {f.label:<18} {f.added:>8} to add  {f.identical:>8} identical  {f.different:>8} different"
    return line + (f"  {f.replaced:>8} replaced" if replaced else "")


def run(options: dict, *, stdout=None, stderr=None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    # The `codes copy` subparser spells two keys its own way (to_accounts, as_user): take either.
    username = str(options.get("as_username") or options.get("as_user") or "")
    actor = User.objects.named(username).filter(is_active=True).first()
    if actor is None:
        raise CommandError(f"No active username “{username[:150]}”.")
    args = dict(
        actor=actor,
        source_slug=str(options.get("from_account") or ""),
        destination_slugs=[str(slug) for slug in options.get("to") or options.get("to_accounts") or []],
        files=str(options.get("files") or "").split(","),
        channel=Channel.CLI,
    )
    try:
        if options.get("dry_run"):
            plan = copy_plan(**args)
            stdout.write(f"Dry run: nothing is copied. Copy From {plan.source.slug}:\n")
            for dest in copy_preview(plan, examples=0):
                stdout.write(f"Copy To {dest.account.slug}:\n")
                for f in dest.files:
                    stdout.write(_counts_line(f, replaced=False) + "\n")
            return 0

        started = {}

        def progress(dest_slug: str, file_key: str, stage: str) -> None:
            if stage == "start":
                started[(dest_slug, file_key)] = time.monotonic()
                stdout.write(f"{dest_slug}: copying {FILES[file_key].label.lower()}…\n")
            else:
                took = time.monotonic() - started.get((dest_slug, file_key), time.monotonic())
                stdout.write(f"{dest_slug}: {FILES[file_key].label.lower()} done in {took:.2f} s\n")
            stdout.flush()

        results = codes_copy(**args, replace_different=bool(options.get("replace_different")),
                             progress=progress)
    except ServiceError as error:
        raise CommandError(str(error)) from None
    refused = False
    for dest in results:
        if dest.refused:
            refused = True
            stderr.write(f"{dest.account.slug}: nothing copied, your privileges there changed.\n")
            continue
        stdout.write(f"Copied into {dest.account.slug}:\n")
        for f in dest.files:
            stdout.write(_counts_line(f, replaced=True).replace(" to add", " added") + "\n")
    if refused:
        raise CommandError("Some accounts were not copied.")
    return 0
