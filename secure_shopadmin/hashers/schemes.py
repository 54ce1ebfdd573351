"""The legacy schemes by name, and the hasher that checks each."""

from django.utils.translation import gettext

from .bcrypt_php import PHPBcryptPasswordHasher, WordPressBcryptPasswordHasher
from .carts import CSCartPasswordHasher, ZenCartSHA256PasswordHasher
from .drupal import Drupal7PasswordHasher
from .magento import Magento2PasswordHasher
from .phpass import PhpassPasswordHasher
from .plaintext import PlaintextScheme
from .platforms import (
    ECCubePasswordHasher,
    ECCubeSHA1PasswordHasher,
    OpenCartPasswordHasher,
    PrestaShopPasswordHasher,
    SaltedMD5PasswordHasher,
)
from .shopware import Shopware5MD5PasswordHasher, Shopware5SHA256PasswordHasher
from .unsalted import LegacyMD5PasswordHasher, LegacySHA1PasswordHasher, LegacySHA256PasswordHasher

LEGACY_HASHERS = (
    LegacyMD5PasswordHasher,
    LegacySHA1PasswordHasher,
    LegacySHA256PasswordHasher,
    SaltedMD5PasswordHasher,
    Magento2PasswordHasher,
    PhpassPasswordHasher,
    WordPressBcryptPasswordHasher,
    PHPBcryptPasswordHasher,
    ECCubePasswordHasher,
    ECCubeSHA1PasswordHasher,
    PrestaShopPasswordHasher,
    OpenCartPasswordHasher,
    Drupal7PasswordHasher,
    Shopware5SHA256PasswordHasher,
    Shopware5MD5PasswordHasher,
    ZenCartSHA256PasswordHasher,
    CSCartPasswordHasher,
)
_BY_SCHEME = {cls.scheme: cls() for cls in LEGACY_HASHERS}
_BY_ALGORITHM = {hasher.algorithm: hasher for hasher in _BY_SCHEME.values()}

#: every scheme name from_legacy() accepts
SCHEMES = tuple(_BY_SCHEME)
#: import only: hashed (wrapped) at import, so never a stored value and never an algorithm
PLAINTEXT = PlaintextScheme.scheme
#: import only: PHP's password_hash() argon2, which Django's own argon2 hasher checks as it is
PHP_ARGON2 = "argon2"
IMPORT_SCHEMES = (*SCHEMES, PLAINTEXT, PHP_ARGON2)
_BY_SCHEME[PLAINTEXT] = PlaintextScheme()


def hasher_path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def legacy_hasher(scheme):
    """The hasher of ``scheme``; ValueError naming the known schemes if there is none."""
    try:
        return _BY_SCHEME[scheme]
    except (KeyError, TypeError):
        raise ValueError(
            gettext("unknown legacy scheme %(scheme)r; known: %(known)s")
            % {"scheme": scheme, "known": ", ".join(SCHEMES)}
        )


def legacy_hasher_of(encoded):
    """The hasher of a legacy ``User.password`` value, or None if it is not one."""
    return _BY_ALGORITHM.get(encoded.partition("$")[0])


def legacy_algorithms():
    return tuple(_BY_ALGORITHM)
