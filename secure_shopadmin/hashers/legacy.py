"""Turning an old platform's stored hash into the value kept in ``User.password``."""

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
