"""Test settings: the real ones, with a cheaper Argon2id so the suite stays quick."""

from practicegate.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.hashers.QuickArgon2Hasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
