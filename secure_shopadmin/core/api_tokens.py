"""API tokens as second-factor credentials: issued by a login, stored as a digest, revoked with trust.

* :func:`issue` makes a token for a login and returns its key (shown once); ``verified`` says whether
  that very login passed the second factor. A user has one token at a time: a new one revokes the old.
* :func:`authenticate` finds the user of a key (constant-time: the lookup is by keyed digest); a token
  older than :func:`max_age` (``API_TOKEN_MAX_AGE``; for staff at most ``CONSOLE_MAX_AGE``) is refused.
* :func:`revoke_all` revokes every token of some users, those of Django REST framework's own
  ``authtoken`` app (keys kept in clear, from before install) included.

Tokens from DRF's ``authtoken`` made before install keep working only for users outside the
second-factor policy (:class:`secure_shopadmin.drf.CheckedTokenAuthentication` refuses the others).
"""

import secrets
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from ..conf import app_settings
from . import crypto
from .models import ApiToken
from .policy import holds_console_rights
from .sensitive import secret_variables

PURPOSE = "api-token"
KEY_BYTES = 32
PREFIX_LENGTH = 6


def digest(key):
    return crypto.digest(key, PURPOSE)


def fingerprint(user):
    return crypto.digest(user.get_session_auth_hash(), "api-token-auth")


@secret_variables
@transaction.atomic
def issue(user, *, verified):
    """A fresh token for ``user`` (their other tokens revoked); returns its key, to show once."""
    revoke_all([user.pk])
    key = secrets.token_urlsafe(KEY_BYTES)
    ApiToken.objects.create(user=user, digest=digest(key), prefix=key[:PREFIX_LENGTH], verified=bool(verified),
                            auth_fingerprint=fingerprint(user))
    return key


@secret_variables
def authenticate(key):
    """The :class:`ApiToken` of ``key`` (with its user), or None: unknown, revoked, or the password changed."""
    if not isinstance(key, str) or not key or len(key) > 200:
        return None
    token = ApiToken.objects.filter(digest=digest(key)).select_related("user").first()
    if token is None or not crypto.constant_time_equal(token.auth_fingerprint, fingerprint(token.user)):
        return None
    if expired(token):
        return None
    return token


def max_age(user):
    """Seconds a token of ``user`` works: ``API_TOKEN_MAX_AGE``, and for staff and superusers at most
    ``CONSOLE_MAX_AGE``; None when nothing limits it."""
    limits = [app_settings.API_TOKEN_MAX_AGE]
    if holds_console_rights(user):
        limits.append(app_settings.CONSOLE_MAX_AGE)
    limits = [limit for limit in limits if limit]
    return min(limits) if limits else None


def expired(token):
    limit = max_age(token.user)
    return limit is not None and timezone.now() - token.created_at > timedelta(seconds=limit)


def revoke_all(user_ids):
    """Revoke every API token of these users (the app's and DRF ``authtoken``'s); returns how many."""
    user_ids = list(user_ids)
    revoked, _ = ApiToken.objects.filter(user_id__in=user_ids).delete()
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token  # optional app: only when installed

        legacy, _ = Token.objects.filter(user_id__in=user_ids).delete()
        revoked += legacy
    return revoked
