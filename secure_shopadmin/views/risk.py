"""The risk step's pages: the e-mailed code of a risky login, its resend, and the mail's "this
wasn't me" link. The code is checked through :func:`secure_shopadmin.pipeline.check_code` (the
guard's code budget first); the logic is in :mod:`secure_shopadmin.alerts.challenge`."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .. import coordination, pipeline
from ..alerts import alerting, challenge
from ..alerts import stage as risk_stage
from ..alerts.forms import RiskCodeForm
from ..conf import app_settings
from ..core.looks import home_url, page_context
from ..core.mail import printed_to_console
from ..core.partial import at_step, discard_partial
from ..core.redirects import safe_redirect
from ..core.sensitive import secret_variables
from ..lockout.responses import lockout_response
from .alerts import alerts_page, invalid_link


def _render(request, context, status=200):
    return TemplateResponse(request, "secure_shopadmin/alerts/risk_code.html",
                            {**page_context(request), **context}, status=status)


@secret_variables
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def risk_code(request):
    """A risky login's step: the code mailed to the registered address, or a new one (throttled)."""
    partial, user = at_step(request, risk_stage.RISK_STEP)
    if user is None:
        return safe_redirect(request, "admin:login")
    if request.method == "POST" and "resend" in request.POST:
        if risk_stage.resend_risk_code(request, user, partial):
            messages.success(request, _("We mailed you a new code. The previous one no longer works."))
        else:
            messages.error(request, _("A code was mailed only a moment ago; wait a minute before asking again."))
        return safe_redirect(request, "secure_shopadmin:risk_code")
    form = RiskCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        checked = pipeline.check_code(request, user, form.cleaned_data["code"],
                                      risk_binding=partial.facts.get("risk_binding", ""), login_step=True)
        if checked.retry_after:
            discard_partial(request)
            return lockout_response(request, checked.retry_after, codes=True)
        if checked.ok:
            outcome = pipeline.step_done(request, risk_stage.RISK_STEP, risk_passed=True)
            return safe_redirect(request, outcome.redirect_url or home_url(partial.channel))
        form.reject()
    return _render(request, {
        "form": form, "title": _("Check your mail"), "minutes": max(1, app_settings.RISK_CODE_TTL // 60),
        "mail_on_console": printed_to_console()})


@secret_variables
@never_cache
@require_http_methods(["GET", "POST"])
def risk_not_me(request, token):
    """The risk code mail's "this wasn't me": GET shows the attempt, the POST secures the account."""
    found = challenge.find_denial(token)
    if found is None:
        return invalid_link(request)
    context = {"title": _("This wasn't me"), "login": found.record,
               "channel_label": alerting.channel_label(found.record.channel),
               "login_label": alerting.login_label(found.record.channel)}
    if request.method == "GET":
        return alerts_page(request, "not_me.html", context, user=found.user)
    acted = coordination.not_me_risk_code(token, request)
    if acted is None:
        return invalid_link(request)
    return alerts_page(request, "not_me.html", {**context, "done": True, "reset_mail": acted.reset_mail},
                       user=found.user)
