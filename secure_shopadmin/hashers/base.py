"""What every legacy hasher shares: check an old platform's stored value, never create one.

A legacy value in ``User.password`` is ``<algorithm>$<body>``. The body is the old platform's own
value; a salt it kept in another column follows the digest after a colon (``<digest>:<salt>``).
Each hasher splits its body into the *digest* and the *rest* (salt, settings), and computes the
digest from a password and the rest; :mod:`.wrapped` uses the same two functions.
"""

import re
import time

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from .timing import even_out

FAST, MEDIUM, SLOW = "fast", "medium", "slow"

_HEX = re.compile(r"[0-9a-fA-F]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def hex_digest(value, length):
    """``value`` as lowercase hex of ``length`` characters, or ValueError."""
    if len(value) != length or not _HEX.fullmatch(value):
        raise ValueError(gettext("expected %(length)d hexadecimal characters") % {"length": length})
    return value.lower()


class SelfContainedMixin:
    """A stored value that carries its own salt and settings (phpass, bcrypt, Drupal): kept as it is, once checked."""

    def to_body(self, stored, salt):
        require_no_salt(self.scheme, salt)
        self.split(stored)
        return stored


class UnsaltedHexMixin:
    """A stored value that is one hex digest of ``hex_length`` characters, with no salt of its own."""

    hex_length = None

    def to_body(self, stored, salt):
        require_no_salt(self.scheme, salt)
        return hex_digest(stored, self.hex_length)

    def split(self, body):
        return hex_digest(body, self.hex_length), ""


def verify_evenly(password, matches):
    """``matches()`` (False on ValueError: a malformed value); a wrong password then costs as much as argon2id."""
    started = time.perf_counter()
    try:
        correct = matches()
    except ValueError:
        correct = False
    if not correct:
        even_out(password, started)
    return correct


def require_no_salt(scheme, salt):
    if salt:
        raise ValueError(gettext("the %(scheme)s scheme takes no separate salt") % {"scheme": scheme})


def require_printable(value):
    if _CONTROL.search(value):
        raise ValueError(gettext("the value contains control characters"))
    return value


def split_digest_and_salt(body, length):
    """``<hex digest>:<salt>`` -> (digest, salt); the salt may itself hold colons."""
    digest, colon, salt = body.partition(":")
    if not colon:
        raise ValueError(gettext("expected <hash>:<salt>"))
    return hex_digest(digest, length), salt


class LegacyPasswordHasher(BasePasswordHasher):
    """Checks passwords against one old shop platform's format; a correct one is upgraded at login."""

    #: the scheme name ``from_legacy()`` takes
    scheme = None
    #: FAST and MEDIUM values are wrapped by ``wrap_legacy_hashes``; SLOW ones wait for the login
    cost = FAST
    #: never the preferred hasher: ``encode()`` refuses, so no new hash is ever made in a legacy format
    only_verifies = True

    def to_body(self, stored, salt):
        """The body to keep for the old platform's ``stored`` value and separate ``salt``; ValueError if malformed."""
        raise NotImplementedError

    def split(self, body):
        """(digest, rest) of a body; ValueError if malformed."""
        raise NotImplementedError

    def digest(self, password, rest):
        """The digest the old platform computed for ``password``; ValueError if it cannot have one."""
        raise NotImplementedError

    def cost_of(self, rest):
        return self.cost

    def wrappable(self, rest):
        return self.cost_of(rest) != SLOW

    def body(self, encoded):
        algorithm, dollar, body = encoded.partition("$")
        if algorithm != self.algorithm or not dollar:
            raise ValueError(gettext("not a %(algorithm)s value") % {"algorithm": self.algorithm})
        return body

    def verify(self, password, encoded):
        def matches():
            stored_digest, rest = self.split(self.body(encoded))
            return constant_time_compare(self.digest(password, rest), stored_digest)

        return verify_evenly(password, matches)

    def encode(self, password, salt):
        raise ValueError(
            gettext("%(algorithm)s only checks old hashes; new hashes use the preferred hasher.")
            % {"algorithm": self.algorithm}
        )

    def decode(self, encoded):
        digest, rest = self.split(self.body(encoded))
        return {"algorithm": self.algorithm, "scheme": self.scheme, "hash": digest, "salt": rest}

    def safe_summary(self, encoded):
        try:
            decoded = self.decode(encoded)
        except ValueError:
            return {_("algorithm"): self.algorithm, _("hash"): mask_hash(encoded.partition("$")[2])}
        summary = {_("algorithm"): self.algorithm, _("scheme"): self.scheme}
        if decoded["salt"]:
            summary[_("salt")] = mask_hash(decoded["salt"])
        summary[_("hash")] = mask_hash(decoded["hash"])
        return summary

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass  # verify() evens out its own time: Django calls this for the preferred hasher only
