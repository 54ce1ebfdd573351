"""Turning an old platform's stored hash into the value kept in ``User.password``."""

import argon2
from django.utils.translation import gettext

from .base import require_printable
from .peppers import pepper
from .schemes import legacy_hasher
from .wrapped import PASSWORD_COLUMN_LENGTH, wrapped_length_limit


def from_legacy(scheme, stored, salt=""):
    """The ``User.password`` value for a hash ``stored`` by an old platform under ``scheme``.

    ``stored`` is the value as the old platform kept it; ``salt`` is for platforms that keep the salt
    in another column (EC-CUBE, OpenCart; osCommerce/Magento 1 may give it either way). Raises
    ValueError for an unknown scheme or a malformed value, ImproperlyConfigured when the scheme's
    pepper (``LEGACY_PEPPERS``) is missing. The result always fits the 128-character column, and so
    does its wrapped form.
    """
    hasher = legacy_hasher(scheme)
    if not isinstance(stored, str) or not isinstance(salt, str):
        raise ValueError(gettext("the hash and the salt must be text"))
    for name in getattr(hasher, "peppers", ()):
        pepper(name)
    try:
        body = hasher.to_body(require_printable(stored.strip()), salt)
        _, rest = hasher.split(body)
    except ValueError as error:
        raise ValueError(f"{scheme}: {error}") from None
    encoded = f"{hasher.algorithm}${body}"
    longest = max(len(encoded), wrapped_length_limit(scheme, rest) if hasher.wrappable(rest) else 0)
    if longest > PASSWORD_COLUMN_LENGTH:
        raise ValueError(
            gettext("%(scheme)s: too long: %(length)d characters would not fit the %(limit)d-character password column")
            % {"scheme": scheme, "length": longest, "limit": PASSWORD_COLUMN_LENGTH}
        )
    return encoded


PHP_ARGON2_PREFIXES = ("$argon2id$", "$argon2i$")
#: bounds that keep one login from stalling the server (PHP writes t=4, 64 MiB, 1 thread)
MAX_PHP_ARGON2 = {"time_cost": 10, "memory_cost": 1024 * 1024, "parallelism": 16}
MIN_SALT_BYTES, MIN_HASH_BYTES = 8, 16  # RFC 9106's floors; PHP writes 16 and 32


def from_php_argon2(stored):
    """The ``User.password`` value for PHP's ``password_hash()`` argon2i / argon2id (Shopware 5.5+ and others).

    The PHC string is Django's argon2 format without its ``argon2`` prefix, so Django's own
    Argon2PasswordHasher checks it, and upgrades it to the preferred parameters at the next login.
    """
    stored = require_printable(stored.strip()) if isinstance(stored, str) else ""
    try:
        if not stored.startswith(PHP_ARGON2_PREFIXES):
            raise argon2.exceptions.InvalidHashError
        params = argon2.extract_parameters(stored)
        if params.salt_len < MIN_SALT_BYTES or params.hash_len < MIN_HASH_BYTES:
            raise argon2.exceptions.InvalidHashError
    except argon2.exceptions.InvalidHashError:
        raise ValueError(gettext("argon2: expected a $argon2id$ or $argon2i$ hash from PHP's password_hash()"))
    if any(getattr(params, name) > limit for name, limit in MAX_PHP_ARGON2.items()):
        raise ValueError(gettext("argon2: parameters too costly for a login (%(params)s)")
                         % {"params": stored.split("$")[3]})
    encoded = f"argon2{stored}"
    if len(encoded) > PASSWORD_COLUMN_LENGTH:
        raise ValueError(
            gettext("%(scheme)s: too long: %(length)d characters would not fit the %(limit)d-character password column")
            % {"scheme": "argon2", "length": len(encoded), "limit": PASSWORD_COLUMN_LENGTH}
        )
    return encoded
