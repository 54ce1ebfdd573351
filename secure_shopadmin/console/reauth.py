"""A fresh second factor before a sensitive action (``REAUTH_MAX_AGE``), without losing the action.

When the session's last code (``code_at`` in the pipeline's marker) is older than
``REAUTH_MAX_AGE``, a protected POST is answered with a code page instead of being run
(:func:`demand`). The page carries the original POST data encrypted (MultiFernet, the app's
keys) together with a single-use nonce whose digest waits in the session. The code page posts
back to the same URL; the middleware hands that POST to :func:`resume` before the view runs: a
right code renews ``code_at``, spends the nonce and puts the original POST data back, so the
view does what it was asked for, once. A second submission finds the nonce spent and does
nothing. Files cannot be carried: a protected upload is asked for again after the code.
"""

import json
import secrets
import time

from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import crypto
from ..core.looks import page_context
from ..core.partial import session_marker
from ..core.redirects import safe_redirect
from ..twofactor import services as twofactor_services
from . import codecheck
from .requests import is_api_request

FIELD = "_ssa_reauth"
PENDING_KEY = "_secure_shopadmin_reauth"
PENDING_LIMIT = 5
PENDING_TTL = 900
DIGEST_PURPOSE = "reauth-nonce"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def is_fresh(request):
    """True when the session's last second-factor code is at most ``REAUTH_MAX_AGE`` seconds old."""
    marker = session_marker(request) if hasattr(request, "session") else None
    if marker is None:
        return False
    return time.time() - marker.get("code_at", 0) <= app_settings.REAUTH_MAX_AGE


def demand(request):
    """None when ``request`` may go on; else the answer asking for a fresh code first."""
    if request.method in SAFE_METHODS or is_fresh(request):
        return None
    if not getattr(request.user, "is_authenticated", False):
        return None  # the view's own login requirement answers
    if is_api_request(request):
        return JsonResponse({"code": "reauth_required"}, status=403)
    return challenge(request)


PROOF_FIELDS = ("otp_token", "passkey_answer", "password")


def demand_in_body(request, user, data):
    """For a JSON endpoint (e.g. minting an API token): None when the session's code is fresh or
    ``data`` carries a right proof (``otp_token``, ``passkey_answer`` or ``password``, checked as on
    the code page, through the guard's budget); else the JSON refusal (403 ``reauth_required`` or
    ``reauth_failed``, 429 when the guard refuses)."""
    if is_fresh(request):
        return None
    proof = {name: data.get(name) for name in PROOF_FIELDS} if isinstance(data, dict) else {}
    proof = {name: value for name, value in proof.items() if isinstance(value, str) and value}
    if not proof:
        return JsonResponse({"code": "reauth_required"}, status=403)
    outcome = codecheck.check(request, user, proof)
    record(EventKind.REAUTH, request=request, actor=user, target=user, outcome=outcome.status,
           method=outcome.method, path=request.path[:200])
    if outcome.status == codecheck.REFUSED:
        response = JsonResponse({"code": "locked_out"}, status=429)
        response["Retry-After"] = str(max(1, int(outcome.retry_after)))
        return response
    if not outcome.ok:
        return JsonResponse({"code": "reauth_failed"}, status=403)
    _renew(request)
    return None


def _renew(request):
    marker = session_marker(request)
    marker["code_at"] = int(time.time())
    request.session.modified = True


def challenge(request):
    nonce = secrets.token_urlsafe(18)
    pending = [item for item in request.session.get(PENDING_KEY, []) if item[1] > time.time()]
    pending.append([crypto.digest(nonce, DIGEST_PURPOSE), int(time.time() + PENDING_TTL)])
    request.session[PENDING_KEY] = pending[-PENDING_LIMIT:]
    data = request.POST.copy()
    data.pop(FIELD, None)
    blob = crypto.encrypt(json.dumps({"n": nonce, "p": request.path, "d": data.urlencode()}).encode())
    return page(request, blob, files_dropped=bool(request.FILES))


def page(request, blob, *, error="", status=200, files_dropped=False):
    user = request.user
    context = {
        **page_context(request), "title": _("Confirm it is you"), "blob": blob, "field": FIELD,
        "error": error, "proof": codecheck.proof_kind(user), "action_url": request.get_full_path(),
        "passkey_options": twofactor_services.passkey_options(request, user),
        "codes_accepted": twofactor_services.accepts_codes(user),
        "files_dropped": files_dropped, "max_age_minutes": max(1, app_settings.REAUTH_MAX_AGE // 60),
    }
    response = TemplateResponse(request, "secure_shopadmin/console/reauth.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _open(request, blob):
    try:
        payload = json.loads(crypto.decrypt(blob))
    except (crypto.InvalidToken, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(payload, dict) or payload.get("p") != request.path:
        return None
    return payload


def _take_nonce(request, nonce, *, spend):
    digest = crypto.digest(nonce, DIGEST_PURPOSE)
    pending = request.session.get(PENDING_KEY, [])
    live = [item for item in pending if crypto.constant_time_equal(item[0], digest) and item[1] > time.time()]
    if live and spend:
        request.session[PENDING_KEY] = [item for item in pending if item[0] != digest]
    return bool(live)


def resume(request):
    """Called by the middleware before the view: handle a submitted code page, if this is one.

    Returns None to let the view run (not a code page, or a right code: the original POST data
    is back in ``request.POST``), else the answer (the page again, or a redirect when the
    action was already done or its page expired).
    """
    if request.method != "POST" or FIELD not in request.POST:
        return None
    request.sensitive_post_parameters = "__ALL__"  # the code or password, and the carried data
    payload = _open(request, request.POST.get(FIELD, ""))
    if payload is None:
        return HttpResponseBadRequest()
    if session_marker(request) is None or not _take_nonce(request, payload["n"], spend=False):
        messages.warning(request, _("That confirmation was already used or has expired; nothing was done."))
        return safe_redirect(request, request.get_full_path())
    user = request.user
    outcome = codecheck.check(request, user, request.POST)
    record(EventKind.REAUTH, request=request, actor=user, target=user, outcome=outcome.status,
           method=outcome.method, path=request.path[:200])
    if not outcome.ok:
        return _again(request, request.POST[FIELD], outcome)
    _take_nonce(request, payload["n"], spend=True)
    _renew(request)
    request.POST = QueryDict(payload["d"], encoding=request.encoding)
    return None


def _again(request, blob, outcome):
    if outcome.status == codecheck.REFUSED:
        response = page(request, blob, error=_("Too many wrong attempts. Please try again later."), status=429)
        response["Retry-After"] = str(max(1, int(outcome.retry_after)))
        return response
    if outcome.status == codecheck.PASSKEY_REQUIRED:
        return page(request, blob, error=_("This account must verify with a passkey or security key: a code is not "
                                           "enough."))
    if outcome.method == "passkey":
        return page(request, blob, error=_("The passkey or security key was not accepted. Try again, or use "
                                           "another key."))
    if codecheck.proof_kind(request.user) == "code":
        return page(request, blob, error=_("That code is not valid. Codes can be used only once."))
    return page(request, blob, error=_("That password is not right."))
