from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """argon2id at the lowest cost: tests that do not measure the cost itself use it."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
