"""The `practicegate` command: Django's management commands plus `serve`.

    practicegate migrate | demo | serve [--host H --port P] | check-production | audit ... | codes ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practicegate.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "practicegate"
    if len(argv) > 1 and argv[1] == "check-production":
        argv[1] = "check_production"  # Django command modules cannot have a hyphen in their name
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except BrokenPipeError:
        # The reader went away (`... | head`): not our failure, and no traceback to show.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
