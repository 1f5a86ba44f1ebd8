"""Steps a person takes in the browser tests: sign up, log in, log out."""

from __future__ import annotations


def sign_up(page, *, provider: str, email: str, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Provider name").fill(provider)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create My Account").click()


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
