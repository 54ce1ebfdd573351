"""Single-use link tokens: random, sent once, stored only as a keyed digest.

Unlike Django's password-reset tokens they do not derive from ``User.password``, so a hash
upgrade or wrap does not void a link already mailed; single use comes from the row that holds
the digest (its ``used_at``), set with a compare-and-set update.
"""

import secrets

from . import crypto

TOKEN_BYTES = 32


def new_token(purpose):
    """A fresh URL-safe token and its digest: mail the token, store the digest."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_digest(token, purpose)


def token_digest(token, purpose):
    return crypto.digest(token, f"link:{purpose}")
