from __future__ import annotations

from django.core.management.base import BaseCommand

from practicegate.core import demo


class Command(BaseCommand):
    help = "Create the demo group practice on first run; print its usernames and passwords."

    def handle(self, *args, **options):
        if demo.demo_exists():
            self.stdout.write("Demo practice already present. Its log-ins:")
            credentials = demo.demo_credentials()
        else:
            credentials = demo.build_demo()
            self.stdout.write(self.style.SUCCESS("Created the demo group practice. Log in with:"))
        width = max(len(u) for u, _, _ in credentials)
        for username, password, what in credentials:
            self.stdout.write(f"  {username.ljust(width)}  {password}   ({what})")
