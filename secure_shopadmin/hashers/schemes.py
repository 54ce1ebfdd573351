"""The legacy schemes by name, and the hasher that checks each."""

from django.utils.translation import gettext, gettext_lazy

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


#: one human label per scheme, wherever a scheme is shown (overview, commands, admin filters);
#: keyed by the scheme name from_legacy() takes, and by the algorithm prefix for Django's own hashers
LABELS = {
    "md5": gettext_lazy("Unsalted MD5"),
    "sha1": gettext_lazy("Unsalted SHA-1"),
    "sha256": gettext_lazy("Unsalted SHA-256"),
    "md5_salted": gettext_lazy("Salted MD5, osCommerce 2.2 / Magento 1"),
    "magento2": gettext_lazy("Magento 2"),
    "phpass": gettext_lazy("phpass portable hash, WordPress / phpBB"),
    "wordpress_bcrypt": gettext_lazy("WordPress 6.8+ bcrypt"),
    "bcrypt_php": gettext_lazy("PHP password_hash() bcrypt"),
    "eccube": gettext_lazy("EC-CUBE 2.11+ HMAC-SHA256"),
    "eccube_sha1": gettext_lazy("EC-CUBE before 2.11, SHA-1"),
    "prestashop": gettext_lazy("PrestaShop 1.6 MD5"),
    "opencart": gettext_lazy("OpenCart 1.5-3 SHA-1"),
    "drupal7": gettext_lazy("Drupal 7 / Drupal Commerce SHA-512"),
    "shopware5_sha256": gettext_lazy("Shopware 5 SHA-256"),
    "shopware5_md5": gettext_lazy("Shopware 5 legacy backend MD5"),
    "zencart_sha256": gettext_lazy("Zen Cart SHA-256"),
    "cscart": gettext_lazy("CS-Cart MD5"),
    "plaintext": gettext_lazy("Clear text, hashed at import"),
    "argon2": gettext_lazy("Argon2id"),
    "argon2w": gettext_lazy("Legacy hash wrapped in Argon2id"),
    "pbkdf2_sha256": gettext_lazy("Django PBKDF2-SHA256"),
    "pbkdf2_sha1": gettext_lazy("Django PBKDF2-SHA1"),
    "bcrypt_sha256": gettext_lazy("Django bcrypt-SHA256"),
    "scrypt": gettext_lazy("Django scrypt"),
    "!": gettext_lazy("No usable password"),
}


def scheme_id(algorithm):
    """The scheme name of a ``User.password`` prefix: ``legacy_md5`` -> ``md5``; others unchanged."""
    hasher = _BY_ALGORITHM.get(algorithm)
    return hasher.scheme if hasher is not None else algorithm


def scheme_label(scheme, with_id=True):
    """The human label of a scheme name or algorithm prefix, the scheme name in parentheses (``with_id``)."""
    name = scheme_id(scheme)
    label = str(LABELS.get(name, name))
    return f"{label} ({name})" if with_id and label != name else label
