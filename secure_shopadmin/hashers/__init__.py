"""Stage 2 of the login pipeline: password hashers for argon2id and the old shop platforms' formats."""


def recommended_hashers():
    """The ``PASSWORD_HASHERS`` list to use: argon2id first, then Django's own."""
    return [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
