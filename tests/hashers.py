from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Still Argon2id with the same algorithm name, just with test-sized costs."""

    time_cost = 1
    memory_cost = 512
    parallelism = 1
