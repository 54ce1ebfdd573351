"""Break-glass console access: a one-time link that lets one browser reach the console from anywhere.

``manage.py console_pass`` issues the link (a random token, stored only as a keyed digest),
prints it, audits it and mails ``SECURITY_CONTACTS``. The browser that spends it (a POST) gets a
signed, HttpOnly cookie bound to that browser's session: the cookie carries a random value whose
digest the session keeps, so the cookie alone, copied to another browser, passes nothing. It
passes ``CONSOLE_ALLOWED_NETWORKS`` for ``CONSOLE_MAX_AGE`` from the moment the link was spent,
while its row is not revoked (the Security overview lists live passes with a revoke button): each
request that needs the pass (one from outside the networks) reads the row, one query; a request
from an allowed network makes none. Logging out ends the session, and the pass with it. The pass
opens only the network rule: the password, the second factor and every other rule still apply.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import crypto, links, tokens
from ..core.mail import send_to_security_contacts
from .models import ConsolePass

PURPOSE = "console-pass"
COOKIE = "ssa_console_pass"
SALT = "secure_shopadmin.console.pass"
DEFAULT_PASS_AGE = 43200
SESSION_KEY = "_secure_shopadmin_console_pass"
BINDING_PURPOSE = "console-pass-binding"


def pass_age():
    return app_settings.CONSOLE_MAX_AGE or DEFAULT_PASS_AGE


def issue(*, issued_by, reason, request=None):
    """A new link: returns its URL (the only place the token exists)."""
    token, digest = tokens.new_token(PURPOSE)
    now = timezone.now()
    row = ConsolePass.objects.create(token_digest=digest, issued_by=issued_by[:150], reason=reason,
                                     created_at=now,
                                     expires_at=now + timedelta(seconds=app_settings.CONSOLE_PASS_LINK_TTL))
    url = links.absolute_url(request, "secure_shopadmin:console_pass", token)
    record(EventKind.CONSOLE_PASS, request=request, reason=reason, step="issued", issued_by=row.issued_by,
           pass_id=row.pk)
    send_to_security_contacts("console_pass_issued", {"issued_by": row.issued_by, "reason": reason,
                                                      "expires_at": row.expires_at,
                                                      "time_zone": settings.TIME_ZONE})
    return url


def find_usable(token):
    if not token or len(token) > 200:
        return None
    return ConsolePass.objects.filter(token_digest=tokens.token_digest(token, PURPOSE), used_at__isnull=True,
                                      expires_at__gt=timezone.now()).first()


def spend(request, response, found):
    """Spend the link once (compare-and-set) and bind the pass to this browser's session and cookie;
    False if already spent."""
    spent = ConsolePass.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not spent:
        return False
    record(EventKind.CONSOLE_PASS, request=request, reason=found.reason, step="used", pass_id=found.pk)
    binding = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"p": found.pk, "b": crypto.digest(binding, BINDING_PURPOSE)}
    value = signing.dumps({"p": found.pk, "b": binding}, salt=SALT)
    response.set_cookie(COOKIE, value, max_age=pass_age(), httponly=True, samesite="Lax",
                        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE)
    return True


def _cookie_pass_id(request):
    """The pass id of the request's cookie when it is signed, not too old, and bound to this session."""
    value = request.COOKIES.get(COOKIE)
    session = getattr(request, "session", None)
    if not value or session is None:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=pass_age())
    except signing.BadSignature:
        return None
    bound = session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(bound, dict) or data.get("p") != bound.get("p"):
        return None
    if not isinstance(data.get("b"), str) or not crypto.constant_time_equal(
            crypto.digest(data["b"], BINDING_PURPOSE), str(bound.get("b", ""))):
        return None
    return data["p"]


def live():
    """Passes in force: spent, not revoked, less than their lifetime ago (newest first)."""
    since = timezone.now() - timedelta(seconds=pass_age())
    return ConsolePass.objects.filter(used_at__gt=since, revoked_at__isnull=True)


def holds_pass(request):
    """True when this browser's session spent a link whose pass is still in force (one query)."""
    pass_id = _cookie_pass_id(request)
    return pass_id is not None and live().filter(pk=pass_id).exists()


def revoke(pass_id, *, request):
    """Revoke a live pass (audited); False when none is live by that id."""
    actor = getattr(request, "user", None)
    name = actor.get_username() if actor is not None and actor.is_authenticated else ""
    revoked = live().filter(pk=pass_id).update(revoked_at=timezone.now(), revoked_by=name[:150])
    if not revoked:
        return False
    record(EventKind.CONSOLE_PASS, request=request, step="revoked", pass_id=pass_id)
    return True
