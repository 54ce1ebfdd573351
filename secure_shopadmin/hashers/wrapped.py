"""argon2id wrapped around a fast legacy digest, so a stored old hash is as costly to crack as argon2id.

``wrap_legacy_hashes`` turns ``legacy_md5$<md5 hex>`` into
``argon2w$md5$<time>.<memory KiB>.<lanes>$<salt>$<tag>$<rest>`` where
tag = argon2id(secret=<md5 hex>, salt) and rest is what the scheme needs besides its digest
(salt, rounds; empty for unsalted schemes). Checking a password recomputes the old digest, then
argon2id with the parameters in the string, so the wrap cost can change later without re-wrapping.
"""

import base64
import hmac
import os
from dataclasses import dataclass

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, get_hasher, mask_hash
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from ..conf import app_settings
from .argon2_worker import TAG_BYTES
from .argon2_worker import argon2_tag as _argon2_tag
from .base import verify_evenly
from .schemes import PLAINTEXT, legacy_hasher, legacy_hasher_of

ALGORITHM = "argon2w"
SALT_BYTES = 16
#: upper bounds that keep the parameters' text within 13 characters, which the 128-character budget counts on
MAX_TIME_COST, MAX_MEMORY_KIB, MAX_PARALLELISM = 99, 9_999_999, 99
MAX_PARAMS_TEXT = len(f"{MAX_TIME_COST}.{MAX_MEMORY_KIB}.{MAX_PARALLELISM}")
PASSWORD_COLUMN_LENGTH = 128


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int
    memory_cost: int
    parallelism: int

    def __post_init__(self):
        values = (self.time_cost, self.memory_cost, self.parallelism)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(gettext("argon2 parameters must be integers"))
        if not (1 <= self.time_cost <= MAX_TIME_COST and 1 <= self.parallelism <= MAX_PARALLELISM
                and 8 * self.parallelism <= self.memory_cost <= MAX_MEMORY_KIB):
            raise ValueError(gettext("argon2 parameters out of range"))

    @classmethod
    def parse(cls, text):
        parts = text.split(".")
        if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError(gettext("expected <time>.<memory>.<lanes>"))
        return cls(*map(int, parts))

    def __str__(self):
        return f"{self.time_cost}.{self.memory_cost}.{self.parallelism}"

    def as_tuple(self):
        return (self.time_cost, self.memory_cost, self.parallelism)


#: OWASP's argon2id minimums (Password Storage Cheat Sheet), equivalent to one another:
#: (time_cost, memory_cost KiB), parallelism 1
OWASP_MINIMUMS = ((1, 47104), (2, 19456), (3, 12288), (4, 9216), (5, 7168))


def preferred_params():
    """The preferred argon2 hasher's parameters (Django's own if the preferred hasher is not argon2)."""
    preferred = get_hasher("default")
    source = preferred if isinstance(preferred, Argon2PasswordHasher) else Argon2PasswordHasher()
    return Argon2Params(source.time_cost, source.memory_cost, source.parallelism)


def default_params():
    """WRAP_ARGON2_PARAMS (OWASP's minimum by default), or the preferred argon2 hasher's when it is None.

    The parameters are named in every wrapped value, and a wrapped value is always upgraded at the
    next login, so a wrap at the minimum costs no member more than the time until that login.
    """
    configured = app_settings.WRAP_ARGON2_PARAMS
    if configured:
        return Argon2Params(*configured)
    return preferred_params()


def below_owasp_minimum(params):
    """True when ``params`` reach none of OWASP's equivalent minimums."""
    return not any(params.time_cost >= time_cost and params.memory_cost >= memory_cost
                   for time_cost, memory_cost in OWASP_MINIMUMS)


def argon2_tag(secret, salt, params):
    return _argon2_tag(secret, salt, *params.as_tuple())


def _b64(raw):
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text, length):
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        raise ValueError(gettext("malformed base64"))
    if len(raw) != length:
        raise ValueError(gettext("malformed base64"))
    return raw


@dataclass(frozen=True)
class Wrapped:
    scheme: str
    params: Argon2Params
    salt: bytes
    tag: bytes
    rest: str

    @classmethod
    def parse(cls, encoded):
        parts = encoded.split("$", 5)
        if len(parts) != 6 or parts[0] != ALGORITHM:
            raise ValueError(gettext("not an argon2w value"))
        _, scheme, params, salt, tag, rest = parts
        if not legacy_hasher(scheme).wrappable(rest):
            raise ValueError(gettext("a slow scheme is never wrapped"))
        return cls(scheme, Argon2Params.parse(params), _unb64(salt, SALT_BYTES), _unb64(tag, TAG_BYTES), rest)

    def __str__(self):
        return f"{ALGORITHM}${self.scheme}${self.params}${_b64(self.salt)}${_b64(self.tag)}${self.rest}"


def wrapped_length_limit(scheme, rest):
    """The longest a wrapped value of ``scheme`` with this ``rest`` can be, whatever the parameters."""
    return len(f"{ALGORITHM}${scheme}$") + MAX_PARAMS_TEXT + len(_b64(bytes(SALT_BYTES))) + len(
        _b64(bytes(TAG_BYTES))) + 3 + len(rest)


def wrap_input(encoded):
    """(scheme, digest, rest) of a fast or medium legacy value; ValueError if ``encoded`` is not one."""
    hasher = legacy_hasher_of(encoded)
    if hasher is None:
        raise ValueError(gettext("not a legacy value"))
    digest, rest = hasher.split(hasher.body(encoded))
    if not hasher.wrappable(rest):
        raise ValueError(gettext("a slow scheme is never wrapped"))
    return hasher.scheme, digest, rest


def assemble(scheme, rest, params, salt, tag):
    wrapped = str(Wrapped(scheme, params, salt, tag, rest))
    if len(wrapped) > PASSWORD_COLUMN_LENGTH:
        raise ValueError(gettext("the wrapped value would not fit the password column"))
    return wrapped


def wrap(encoded, params):
    """The argon2w value for a fast or medium legacy value; ValueError if ``encoded`` is not one."""
    scheme, digest, rest = wrap_input(encoded)
    salt = os.urandom(SALT_BYTES)
    return assemble(scheme, rest, params, salt, argon2_tag(digest, salt, params))


def wrap_clear(password, params, salt=None, tag=None):
    """The argon2w value for a clear password from an export (scheme ``plaintext``); the password is not kept.

    ``salt`` and ``tag`` are given when the argon2 work was done elsewhere (in worker processes).
    """
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    return assemble(PLAINTEXT, "", params, salt, argon2_tag(password, salt, params) if tag is None else tag)


class Argon2WrappedPasswordHasher(BasePasswordHasher):
    """``argon2w$<scheme>$<time>.<memory KiB>.<lanes>$<salt b64>$<tag b64>$<rest>``.

    tag = argon2id(secret=<the scheme's digest of the password>, salt), 16 bytes; rest as in the scheme's body.
    """

    algorithm = ALGORITHM
    library = "argon2"
    only_verifies = True

    def verify(self, password, encoded):
        def matches():
            wrapped = Wrapped.parse(encoded)
            digest = legacy_hasher(wrapped.scheme).digest(password, wrapped.rest)
            return hmac.compare_digest(argon2_tag(digest, wrapped.salt, wrapped.params), wrapped.tag)

        return verify_evenly(password, matches)

    def encode(self, password, salt):
        raise ValueError(gettext("argon2w values are made by wrap_legacy_hashes, never from a password."))

    def decode(self, encoded):
        wrapped = Wrapped.parse(encoded)
        return {
            "algorithm": ALGORITHM, "scheme": wrapped.scheme, "salt": _b64(wrapped.salt), "hash": _b64(wrapped.tag),
            "time_cost": wrapped.params.time_cost, "memory_cost": wrapped.params.memory_cost,
            "parallelism": wrapped.params.parallelism, "legacy_salt": wrapped.rest,
        }

    def safe_summary(self, encoded):
        try:
            decoded = self.decode(encoded)
        except ValueError:
            return {_("algorithm"): ALGORITHM, _("hash"): mask_hash(encoded.partition("$")[2])}
        return {
            _("algorithm"): ALGORITHM,
            _("scheme"): decoded["scheme"],
            _("memory cost"): decoded["memory_cost"],
            _("time cost"): decoded["time_cost"],
            _("parallelism"): decoded["parallelism"],
            _("salt"): mask_hash(decoded["salt"]),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass  # verify() evens out its own time
