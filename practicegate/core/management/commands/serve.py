from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from waitress import serve


class Command(BaseCommand):
    help = ("Serve PracticeGate with the waitress WSGI server (static files by WhiteNoise). "
            "In production run one per core behind a reverse proxy: docs/operations.md.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PRACTICEGATE_THREADS", 8)))
        parser.add_argument(
            "--trusted-proxy", default=os.environ.get("PRACTICEGATE_TRUSTED_PROXY", ""), metavar="ADDRESS",
            help="The reverse proxy's address: its X-Forwarded-For and X-Forwarded-Proto are believed "
                 "(the client's IP for the activity log and lock-outs, https for secure cookies); "
                 "anyone else's are dropped.",
        )

    def handle(self, *args, host, port, threads, trusted_proxy, **options):
        application = get_wsgi_application()  # the same application practicegate.wsgi gives

        proxy = {}
        if trusted_proxy:
            proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                     "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
        self.stdout.write(f"PracticeGate is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        serve(application, host=host, port=port, threads=threads, ident="PracticeGate",
              clear_untrusted_proxy_headers=True, **proxy)
