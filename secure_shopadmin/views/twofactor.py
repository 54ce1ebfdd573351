"""Second-factor pages: thin views over :mod:`secure_shopadmin.twofactor.services`; every change is a POST.

They live above the pipeline: the step views hand over to it, and every code is checked through
:func:`secure_shopadmin.pipeline.check_code` (the guard's budget first).
"""

from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import pipeline
from ..conf import app_settings
from ..console.decorators import fresh_code_required
from ..core.mail import shop_name
from ..core.partial import at_step, discard_partial
from ..core.steps import Channel, channel_for
from ..lockout.responses import lockout_response
from ..twofactor import browsers, links, recovery, services, signals, totp
from ..twofactor.forms import CodeForm, VerifyForm
from ..twofactor.models import EnrolmentLink, RememberedBrowser
from ..twofactor.stage import ENROL, ENROL_MAILED, VERIFY

SENSITIVE = sensitive_post_parameters("otp_token")


def render(request, template, context, status=200):
    context = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, f"secure_shopadmin/twofactor/{template}", context, status=status)


def after_pipeline(outcome, default="/"):
    return redirect(outcome.redirect_url or default)


def default_url(partial):
    return reverse("admin:index") if partial.channel == Channel.CONSOLE else "/"


@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    partial, user = at_step(request, VERIFY)
    if user is None:
        return redirect("admin:login")
    may_remember = browsers.may_remember(user)
    form = VerifyForm(request.POST or None, may_remember=may_remember,
                      remember_days=app_settings.REMEMBER_BROWSER_DAYS)
    if request.method == "POST" and form.is_valid():
        checked = pipeline.check_code(request, user, form.cleaned_data["otp_token"])
        if checked.retry_after:
            discard_partial(request)
            return lockout_response(request, checked.retry_after, codes=True)
        if not checked.ok:
            form.reject()
        else:
            method = checked.method
            signals.verified.send(sender=VerifyForm, request=request, user=user, method=method)
            outcome = pipeline.step_done(request, VERIFY, second_factor=method)
            response = after_pipeline(outcome, default_url(partial))
            if may_remember and form.cleaned_data.get("remember") and outcome.ok:
                browsers.remember(response, request, user)
            return response
    return render(request, "verify.html", {"form": form, "title": _("Two-factor authentication")})


@never_cache
def mailed(request):
    partial, user = at_step(request, ENROL_MAILED)
    if user is None:
        return redirect("admin:login")
    return render(request, "mailed.html", {"title": _("Check your mail")})


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token):
    """A mailed enrolment or break-glass link: GET shows a button, only the POST spends the link."""
    found = links.find_usable(token)
    if found is None:
        return render(request, "link_invalid.html", {"title": _("Link not valid")}, status=410)
    if request.method == "GET":
        return render(request, "link.html", {"title": _("Set up two-factor authentication"), "link": found})
    if not links.spend(found):
        return render(request, "link_invalid.html", {"title": _("Link not valid")}, status=410)
    user = found.user
    if found.purpose == EnrolmentLink.Purpose.BREAK_GLASS:
        services.break_glass(request, found)
    channel = channel_for(user)
    outcome = pipeline.login_with_proof(request, user, proof=f"{found.purpose}_link", channel=channel)
    return after_pipeline(outcome)


@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    partial, user = at_step(request, ENROL)
    if user is None:
        return redirect("admin:login")
    device = totp.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(request, user, form.cleaned_data["otp_token"])
        if codes is not None:
            outcome = pipeline.step_done(request, ENROL, second_factor="totp")
            return render(request, "recovery_codes.html", {
                "title": _("Your recovery codes"), "codes": codes,
                "continue_url": outcome.redirect_url or default_url(partial),
            })
        form.reject()
    return render(request, "enrol.html", {
        "title": _("Set up two-factor authentication"), "form": form, "qr_svg": totp.qr_svg(device),
        "key": totp.grouped_key(device), "issuer": app_settings.TOTP_ISSUER or shop_name(),
    })


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@fresh_code_required
def manage(request):
    """The user's own devices, recovery codes and remembered browsers; a change needs a fresh code."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            codes = services.regenerate_recovery_codes(request, user)
            return render(request, "recovery_codes.html", {
                "title": _("Your recovery codes"), "codes": codes, "continue_url": reverse(
                    "secure_shopadmin:twofactor_manage")})
        if action == "remove":
            services.remove_devices(user, request=request, actor=user, reason="removed by the user")
            logout(request)  # its session ended with the others: start a clean one
            return redirect(reverse("admin:login"))
    return render(request, "manage.html", {
        "title": _("Two-factor authentication"),
        "devices": services.confirmed_devices(user), "remaining": recovery.remaining(user),
        "browsers": RememberedBrowser.objects.filter(user=user).order_by("-created_at"),
    })


@login_required
@require_POST
@fresh_code_required
def forget_browser(request, pk):
    browsers.forget_one(request.user, pk)
    return redirect("secure_shopadmin:twofactor_manage")
