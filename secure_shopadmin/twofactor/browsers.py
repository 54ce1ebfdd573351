"""Remembered browsers: a random token in an HttpOnly cookie, kept server-side as a keyed digest.

A remembered browser skips the second factor until it expires, the password changes (its
fingerprint no longer matches), or the user's devices change, a forced reset or "this wasn't me"
forgets it. The user and the admin can list and revoke them.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..conf import app_settings
from ..core import crypto, tokens
from ..core.policy import requires_phishing_resistant
from .models import RememberedBrowser

PURPOSE = "remembered-browser"


def may_remember(user):
    """Never for a user who must sign with a passkey: a cookie a phishing proxy relays is no passkey."""
    if app_settings.REMEMBER_BROWSER_DAYS <= 0 or requires_phishing_resistant(user):
        return False
    return not user.is_superuser or app_settings.REMEMBER_BROWSER_FOR_SUPERUSERS


def fingerprint(user):
    return crypto.digest(user.get_session_auth_hash(), "auth-fingerprint")


def is_remembered(request, user):
    """True when this browser's cookie names a live remembered browser of ``user``."""
    token = request.COOKIES.get(app_settings.REMEMBER_BROWSER_COOKIE)
    if not token or not may_remember(user):
        return False
    row = RememberedBrowser.objects.filter(
        user=user, token_digest=tokens.token_digest(token, PURPOSE), expires_at__gt=timezone.now(),
    ).first()
    if row is None or not crypto.constant_time_equal(row.auth_fingerprint, fingerprint(user)):
        return False
    RememberedBrowser.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return True


def remember(response, request, user):
    """Remember this browser for ``user``: a new row and its cookie on ``response``."""
    token, digest = tokens.new_token(PURPOSE)
    days = app_settings.REMEMBER_BROWSER_DAYS
    RememberedBrowser.objects.create(
        user=user, token_digest=digest, auth_fingerprint=fingerprint(user),
        label=request.META.get("HTTP_USER_AGENT", "")[:200],
        expires_at=timezone.now() + timedelta(days=days),
    )
    response.set_cookie(
        app_settings.REMEMBER_BROWSER_COOKIE, token, max_age=days * 86400, httponly=True,
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE, samesite="Lax",
    )


def forget_all(user):
    deleted, _ = RememberedBrowser.objects.filter(user=user).delete()
    return deleted


def forget_one(user, pk):
    deleted, _ = RememberedBrowser.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
