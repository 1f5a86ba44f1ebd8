"""PostgreSQL-only tests: skipped on SQLite with their reason, never skipped in CI on PostgreSQL.

Mark a test, or a module through `pytestmark`, with `pytest.mark.postgresql("why")`. Where the
suite runs on SQLite the test is skipped with "PostgreSQL only: why". Where it runs on
PostgreSQL with CI=true, a skip of a marked test (a tool missing, a skip inside the test) is
reported as a failure instead: CI runs these tests or fails, it does not pass without them.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

MARK = "postgresql"


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def in_ci(environ=os.environ) -> bool:
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def reason_of(mark) -> str:
    return mark.args[0] if mark.args else mark.kwargs.get("reason", "")


def skip_is_a_failure(*, marked: bool, skipped: bool, ci: bool, postgresql: bool) -> bool:
    """Decide whether a skipped test fails the run: only a marked one, in CI, on PostgreSQL."""
    return marked and skipped and ci and postgresql


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{MARK}(reason): runs on PostgreSQL only; in CI on PostgreSQL a skip of it fails")


def pytest_collection_modifyitems(config, items):
    if on_postgresql():
        return
    for item in items:
        mark = item.get_closest_marker(MARK)
        if mark is not None:
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason_of(mark)}"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marked = item.get_closest_marker(MARK) is not None
    if skip_is_a_failure(marked=marked, skipped=report.skipped, ci=in_ci(), postgresql=on_postgresql()):
        why = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"CI=true on PostgreSQL: the PostgreSQL-only test {item.nodeid} was skipped "
                           f"({why}); CI must run it.")
