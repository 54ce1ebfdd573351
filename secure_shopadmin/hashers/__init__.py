"""Stage 2 of the login pipeline: password hashers for argon2id and the old shop platforms' formats.

Public names: :func:`recommended_hashers` (the ``PASSWORD_HASHERS`` list) and :func:`from_legacy`.
"""

LEGACY_HASHER_PATHS = [
    "secure_shopadmin.hashers.unsalted.LegacyMD5PasswordHasher",
    "secure_shopadmin.hashers.unsalted.LegacySHA1PasswordHasher",
    "secure_shopadmin.hashers.unsalted.LegacySHA256PasswordHasher",
    "secure_shopadmin.hashers.platforms.SaltedMD5PasswordHasher",
    "secure_shopadmin.hashers.magento.Magento2PasswordHasher",
    "secure_shopadmin.hashers.phpass.PhpassPasswordHasher",
    "secure_shopadmin.hashers.bcrypt_php.WordPressBcryptPasswordHasher",
    "secure_shopadmin.hashers.bcrypt_php.PHPBcryptPasswordHasher",
    "secure_shopadmin.hashers.platforms.ECCubePasswordHasher",
    "secure_shopadmin.hashers.platforms.ECCubeSHA1PasswordHasher",
    "secure_shopadmin.hashers.platforms.PrestaShopPasswordHasher",
    "secure_shopadmin.hashers.platforms.OpenCartPasswordHasher",
    "secure_shopadmin.hashers.drupal.Drupal7PasswordHasher",
    "secure_shopadmin.hashers.shopware.Shopware5SHA256PasswordHasher",
    "secure_shopadmin.hashers.shopware.Shopware5MD5PasswordHasher",
    "secure_shopadmin.hashers.carts.ZenCartSHA256PasswordHasher",
    "secure_shopadmin.hashers.carts.CSCartPasswordHasher",
]
WRAPPED_HASHER_PATH = "secure_shopadmin.hashers.wrapped.Argon2WrappedPasswordHasher"


def recommended_hashers():
    """The ``PASSWORD_HASHERS`` list to use: argon2id first (every login upgrades to it), then the
    wrapped hasher, Django's own, and one hasher per legacy scheme."""
    return [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        WRAPPED_HASHER_PATH,
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        *LEGACY_HASHER_PATHS,
    ]


def from_legacy(scheme, stored, salt=""):
    """The ``User.password`` value for an old platform's hash; see :func:`.legacy.from_legacy`."""
    from .legacy import from_legacy as convert  # imported late: settings modules import this package

    return convert(scheme, stored, salt)
