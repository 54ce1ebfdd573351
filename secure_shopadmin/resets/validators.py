"""Password validators for new passwords (NIST SP 800-63B-4 3.1.1.2: compare against breached passwords).

* :class:`BreachedPasswordValidator` — offline: Django's 20,000 common passwords plus the app's
  own list of shop-breach passwords (``data/breached-passwords.txt.gz``) plus any files named in
  ``BREACHED_PASSWORD_FILES``. Always applied to a forced reset's new password; add it to
  ``AUTH_PASSWORD_VALIDATORS`` to apply it everywhere.
* :class:`PwnedRangeValidator` — online, off by default: asks a k-anonymity range API (the
  first five hex digits of the password's SHA-1 leave the host, never the password). Errors
  and timeouts let the password pass (the offline list still applies).
"""

import functools
import gzip
import hashlib
import logging
import urllib.parse
import urllib.request
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..conf import app_settings

logger = logging.getLogger(__name__)

SHIPPED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"


def _read_list(path):
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="ignore") as lines:
        return {line.strip().lower() for line in lines if line.strip()}


@functools.lru_cache(maxsize=4)
def blocklist(extra_files=()):
    """The set of lower-cased breached passwords (cached per extra-files tuple)."""
    passwords = _read_list(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH)
    passwords |= _read_list(SHIPPED_LIST)
    for path in extra_files:
        passwords |= _read_list(path)
    return frozenset(passwords)


def is_breached(password):
    return password.strip().lower() in blocklist(tuple(app_settings.BREACHED_PASSWORD_FILES))


class BreachedPasswordValidator:
    """Refuse passwords found in breach corpora (offline, shipped with the app)."""

    def validate(self, password, user=None):
        if is_breached(password):
            raise ValidationError(
                _("This password appears in lists of passwords leaked in breaches. Choose another one."),
                code="password_breached",
            )

    def get_help_text(self):
        return _("Your password can't be one that appears in lists of leaked passwords.")


def range_api_count(password, url, timeout):
    """How often the range API at ``url`` has seen ``password`` (0 if never), or None on any error."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        logger.warning("PWNED_RANGE_API_URL must be an http(s) URL; the online check is skipped")
        return None
    sha1 = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = sha1[:5], sha1[5:]
    request = urllib.request.Request(
        url.rstrip("/") + "/" + prefix,
        headers={"User-Agent": "django-secure-shopadmin", "Add-Padding": "true"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            body = response.read(4 * 1024 * 1024).decode("ascii", errors="ignore")
    except (OSError, ValueError) as error:
        logger.warning("range API unavailable (%s); the online breached-password check is skipped",
                       type(error).__name__)
        return None
    for line in body.splitlines():
        candidate, _sep, count = line.strip().partition(":")
        if candidate.upper() == suffix:
            try:
                return int(count)
            except ValueError:
                return 1
    return 0


class PwnedRangeValidator:
    """Refuse passwords a k-anonymity range API (HIBP's Pwned Passwords or a mirror) knows.

    Off until ``PWNED_RANGE_API_URL`` (or ``url=`` in ``AUTH_PASSWORD_VALIDATORS`` OPTIONS) is set.
    """

    def __init__(self, url=None, timeout=None, min_count=1):
        self.url, self.timeout, self.min_count = url, timeout, min_count

    def validate(self, password, user=None):
        url = self.url or app_settings.PWNED_RANGE_API_URL
        if not url:
            return
        count = range_api_count(password, url, self.timeout or app_settings.PWNED_RANGE_API_TIMEOUT)
        if count is not None and count >= self.min_count:
            raise ValidationError(
                _("This password appears in lists of passwords leaked in breaches. Choose another one."),
                code="password_breached",
            )

    def get_help_text(self):
        return _("Your password can't be one that appears in lists of leaked passwords.")
