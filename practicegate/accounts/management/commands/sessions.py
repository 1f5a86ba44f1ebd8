"""`practicegate sessions list | end --username NAME`: a username's sessions, for an administrator
(OWASP ASVS 5.0 7.4.5). The username itself uses its page, Your sessions."""

from __future__ import annotations

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError

from practicegate.accounts import sessions
from practicegate.accounts.models import User
from practicegate.audit.models import Channel


class Command(BaseCommand):
    help = "List a username's signed-in sessions, or sign all of them out (logged)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, text in (("list", "Show the username's live sessions (never their keys)."),
                           ("end", "Sign out every session of the username, at once, on every server.")):
            sub.add_parser(name, help=text).add_argument("--username", required=True)

    def handle(self, *args, **options):
        user = User.objects.named(options["username"]).first()
        if user is None:
            raise CommandError(f"No username {options['username']!r}.")
        if options["subcommand"] == "end":
            count = sessions.sessions_end_by_command(user=user, channel=Channel.CLI)
            self.stdout.write(self.style.SUCCESS(f"{user.username}: signed out {count} session(s)."))
            return
        rows = sessions.live_sessions_of(user)
        for row in rows:
            self.stdout.write(f"{row.pk}\t{sessions.browser_text(row.user_agent)}\t{row.ip or 'unknown'}\t"
                              f"signed in {row.created_at.astimezone(UTC).isoformat()}\t"
                              f"last active {row.last_seen_at.astimezone(UTC).isoformat()}")
        self.stdout.write(f"{user.username}: {len(rows)} live session(s).")
