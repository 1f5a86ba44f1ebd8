"""A right code refused because its time step was just used says so, and how long to wait."""

from __future__ import annotations

from django.test import Client

from tests.twofactor.helpers import password_step, turn_on, user_code


def test_a_reused_code_says_wait_and_a_wrong_one_says_not_right(owner, clock):
    turn_on(owner)
    clock.shift(30)  # past the step the set-up code used
    code = user_code(owner)
    first = Client()
    password_step(first, "sunrise")
    assert first.post("/me/two-factor/log-in/", {"code": code}).status_code == 302
    clock.shift(15)  # 25 s into the step: 5 s left
    second = Client()
    password_step(second, "sunrise")
    replay = second.post("/me/two-factor/log-in/", {"code": code}).content.decode()
    assert "That code was just used" in replay and "Wait 5 seconds" in replay
    clock.shift(2)  # past django-otp's one-second back-off after a refused code
    wrong = "000000" if code != "000000" else "111111"
    refused = second.post("/me/two-factor/log-in/", {"code": wrong}).content.decode()
    assert "not right" in refused and "just used" not in refused
