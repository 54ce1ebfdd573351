"""What the guard counts: normalised usernames, client-IP keys and collision-free cache keys."""

import hashlib
import json
import unicodedata

from django.contrib.auth import get_user_model

from ..conf import app_settings

#: a normalised username longer than this is stored as its digest (row column width)
MAX_USERNAME_LENGTH = 150


def normalise_username(username):
    """One spelling per account: Unicode NFKC, surrounding and repeated whitespace removed, case folded.

    The same rule serves every ``USERNAME_FIELD`` (a username or an e-mail address): "Alice",
    " alice " and "ALICE" count as one account, as do "Bob@Shop.Example" and "bob@shop.example".
    """
    text = unicodedata.normalize("NFKC", str(username or ""))
    text = " ".join(text.split()).casefold()
    if len(text) > MAX_USERNAME_LENGTH:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text


def username_from_credentials(credentials):
    """The username in an ``authenticate()`` credentials dict, whichever key carried it."""
    if not credentials:
        return None
    for key in (app_settings.AXES_USERNAME_FORM_FIELD, get_user_model().USERNAME_FIELD, "username"):
        value = credentials.get(str(key))
        if value:
            return value
    return None


def cache_key(rule, username, ip, field):
    """A cache key whose parts cannot run into each other (JSON-encoded, then hashed)."""
    parts = json.dumps([rule, username, ip], ensure_ascii=True, separators=(",", ":"))
    return f"ssa:lockout:{hashlib.sha256(parts.encode()).hexdigest()[:40]}:{field}"
