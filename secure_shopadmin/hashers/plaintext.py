"""Clear passwords in an export (an EC-CUBE shop with ``AUTH_TYPE=PLAIN``, or any other): import only.

No value of this scheme is ever kept. ``import_legacy_users`` hashes each clear password with
argon2id at once and stores the wrapped form ``argon2w$plaintext$<time>.<memory KiB>.<lanes>$<salt>$<tag>$``
(tag = argon2id(secret = the password, salt)), which :mod:`.wrapped` checks like any other and the
next login upgrades to the preferred hasher. This class only tells the wrapped hasher that the
"digest" of this scheme is the password itself.
"""

from django.utils.translation import gettext

from .base import FAST, LegacyPasswordHasher

SCHEME = "plaintext"


class PlaintextScheme(LegacyPasswordHasher):
    """Scheme ``plaintext``: never stored as such; only inside ``argon2w$plaintext$…$`` (empty rest)."""

    algorithm = SCHEME
    scheme = SCHEME
    cost = FAST

    def to_body(self, stored, salt):
        raise ValueError(gettext("clear passwords are hashed by import_legacy_users, never kept"))

    def split(self, body):
        raise ValueError(gettext("clear passwords are hashed by import_legacy_users, never kept"))

    def digest(self, password, rest):
        if rest:
            raise ValueError(gettext("a wrapped clear password has no rest"))
        return password

    def wrappable(self, rest):
        return not rest

    def verify(self, password, encoded):
        return False  # "plaintext$…" is never a stored value
