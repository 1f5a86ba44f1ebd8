"""Fixtures of the two-factor tests: a frozen clock."""

from __future__ import annotations

import pytest

from tests.twofactor.helpers import START


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine
