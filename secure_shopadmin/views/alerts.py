"""Thin views: the two alert links (GET shows, POST acts) and the user's own login history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import coordination
from ..alerts import alerting, records, responses
from ..audit.models import EventKind
from ..audit.services import record as audit
from ..core import sessions
from ..core.looks import page_context
from ..core.models import UserSession
from ..core.redirects import safe_redirect
from ..core.sensitive import secret_variables
from ..twofactor.services import has_device


def alerts_page(request, template, context, status=200, user=None):
    response = render(request, f"secure_shopadmin/alerts/{template}", {
        **page_context(request, user=user), **context}, status=status)
    # the token is in the path: never send it to another site ("no-referrer" would make the
    # browser send "Origin: null" with the button's POST, which CSRF protection refuses)
    response["Referrer-Policy"] = "same-origin"
    return response


def invalid_link(request):
    return alerts_page(request, "link_invalid.html", {"title": _("Link not valid")}, status=410)


def _link_view(action, title, template, act):
    @secret_variables
    @never_cache
    @require_http_methods(["GET", "POST"])
    def view(request, token):
        alert = responses.find(token, action)
        if alert is None:
            return invalid_link(request)
        context = {"title": title, "alert": alert, "login": alert.record,
                   "channel_label": alerting.channel_label(alert.record.channel),
                   "login_label": alerting.login_label(alert.record.channel)}
        if request.method == "GET":
            return alerts_page(request, template, context, user=alert.user)
        acted = act(token, request)
        if acted is None:
            return invalid_link(request)
        return alerts_page(request, template, {**context, "done": True, "reset_mail": getattr(acted, "reset_mail", ""),
                                         "two_factor_on": has_device(alert.user)}, user=alert.user)
    view.__name__ = f"alert_{action}"
    return view


alert_was_me = _link_view(responses.WAS_ME, gettext_lazy("Was this you?"), "was_me.html",
                          lambda token, request: responses.confirm(token))
alert_not_me = _link_view(responses.NOT_ME, gettext_lazy("This wasn't me"), "not_me.html", coordination.not_me)


@never_cache
@login_required
def login_history(request):
    """The user's recent logins and active sessions; any other session can be ended (POST)."""
    current = sessions.key_digest(request.session.session_key) if request.session.session_key else ""
    return alerts_page(request, "history.html", {
        "title": _("Your logins and sessions"),
        "logins": records.recent_logins(request.user),
        "sessions": sessions.active_sessions(request.user),
        "current_digest": current,
    })


@never_cache
@login_required
@require_POST
def end_session(request, pk):
    row = get_object_or_404(UserSession, pk=pk, user=request.user)
    if row.key_digest == sessions.key_digest(request.session.session_key or ""):
        messages.error(request, _("To end this session, log out."))
        return safe_redirect(request, "secure_shopadmin:login_history")
    sessions.end_session(row)
    audit(EventKind.SESSIONS_ENDED, request=request, actor=request.user, target=request.user, count=1,
          scope="one")
    messages.success(request, _("The session was ended."))
    return safe_redirect(request, "secure_shopadmin:login_history")


@never_cache
@login_required
@require_POST
def end_other_sessions(request):
    ended = sessions.end_user_sessions(request.user, keep_session_key=request.session.session_key)
    if ended:
        audit(EventKind.SESSIONS_ENDED, request=request, actor=request.user, target=request.user, count=ended,
              scope="others")
    messages.success(request, _("Other sessions ended: %(count)d.") % {"count": ended})
    return safe_redirect(request, "secure_shopadmin:login_history")
