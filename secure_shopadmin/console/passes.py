"""Break-glass console access: a one-time link that lets one browser reach the console from anywhere.

``manage.py console_pass`` issues the link (a random token, stored only as a keyed digest),
prints it, audits it and mails ``SECURITY_CONTACTS``. The browser that spends it (a POST) gets a
signed, HttpOnly cookie that passes ``CONSOLE_ALLOWED_NETWORKS`` for ``CONSOLE_MAX_AGE``; checking
the cookie costs a signature check, no query. The pass opens only the network rule: the password,
the second factor and every other rule still apply.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import links, tokens
from ..core.mail import send_to_security_contacts
from .models import ConsolePass

PURPOSE = "console-pass"
COOKIE = "ssa_console_pass"
SALT = "secure_shopadmin.console.pass"
DEFAULT_PASS_AGE = 43200


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
    """Spend the link once (compare-and-set) and give this browser the pass cookie; False if already spent."""
    spent = ConsolePass.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not spent:
        return False
    record(EventKind.CONSOLE_PASS, request=request, reason=found.reason, step="used", pass_id=found.pk)
    value = signing.dumps({"p": found.pk}, salt=SALT)
    response.set_cookie(COOKIE, value, max_age=pass_age(), httponly=True, samesite="Lax",
                        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE)
    return True


def holds_pass(request):
    value = request.COOKIES.get(COOKIE)
    if not value:
        return False
    try:
        signing.loads(value, salt=SALT, max_age=pass_age())
    except signing.BadSignature:
        return False
    return True
