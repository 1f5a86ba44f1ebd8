"""The errors services raise when a rule refuses a change, shared by every app."""


class ServiceError(Exception):
    """A rule refused the change; the message is safe to show the user."""
