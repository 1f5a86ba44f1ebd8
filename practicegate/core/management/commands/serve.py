from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve PracticeGate with the waitress WSGI server (static files by WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from practicegate.wsgi import application

        self.stdout.write(f"PracticeGate is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        serve(application, host=host, port=port, threads=threads, ident="PracticeGate")
