"""Second-factor pages: thin views over :mod:`.services`; every change is a POST."""

from django.contrib import admin
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
from ..lockout import stage as guard_stage
from ..mail import shop_name
from . import browsers, links, recovery, services, signals, totp
from .forms import CodeForm, VerifyForm
from .models import EnrolmentLink, RememberedBrowser
from .stage import ENROL, ENROL_MAILED, VERIFY

SENSITIVE = sensitive_post_parameters("otp_token")


def render(request, template, context, status=200):
    context = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, f"secure_shopadmin/twofactor/{template}", context, status=status)


def partial_user(request, step_name):
    """The partial login's user if it is at ``step_name``, else None."""
    partial = pipeline.PartialLogin.load(request)
    if partial is None or partial.step != step_name:
        return None, None
    return partial, partial.get_user()


def after_pipeline(outcome, default="/"):
    return redirect(outcome.redirect_url or default)


def default_url(partial):
    return reverse("admin:index") if partial.channel == pipeline.Channel.CONSOLE else "/"


@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    partial, user = partial_user(request, VERIFY)
    if user is None:
        return redirect("admin:login")
    may_remember = browsers.may_remember(user)
    form = VerifyForm(request.POST or None, may_remember=may_remember,
                      remember_days=app_settings.REMEMBER_BROWSER_DAYS)
    if request.method == "POST" and form.is_valid():
        from ..lockout.responses import lockout_response

        # the guard's code budget per (account, client IP), reserved before the code is checked
        slot = guard_stage.otp_reserve(request, user)
        if slot.refused:
            pipeline.discard_partial(request)
            return lockout_response(request, slot.retry_after, codes=True)
        method = services.check_code(request, user, form.cleaned_data["otp_token"])
        if method is None:
            locked_for = guard_stage.otp_failed(request, slot, user)  # on the lock: audited, user mailed
            if locked_for:
                pipeline.discard_partial(request)
                return lockout_response(request, locked_for, codes=True)
            form.reject()
        else:
            guard_stage.otp_succeeded(request, slot)
            signals.verified.send(sender=VerifyForm, request=request, user=user, method=method)
            outcome = pipeline.step_done(request, VERIFY, second_factor=method)
            response = after_pipeline(outcome, default_url(partial))
            if may_remember and form.cleaned_data.get("remember") and outcome.ok:
                browsers.remember(response, request, user)
            return response
    return render(request, "verify.html", {"form": form, "title": _("Two-factor authentication")})


@never_cache
def mailed(request):
    partial, user = partial_user(request, ENROL_MAILED)
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
    channel = pipeline.Channel.CONSOLE if user.is_staff else pipeline.Channel.STOREFRONT
    outcome = pipeline.login_with_proof(request, user, proof=f"{found.purpose}_link", channel=channel)
    return after_pipeline(outcome)


@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    partial, user = partial_user(request, ENROL)
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
@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def manage(request):
    """The user's own devices, recovery codes and remembered browsers."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        if action not in ("regenerate", "remove") or guard_stage.otp_refusal(request, user):
            form.reject("throttled" if action in ("regenerate", "remove") else "invalid")
        elif services.check_code(request, user, form.cleaned_data["otp_token"]) is None:
            form.reject()
        elif action == "regenerate":
            codes = services.regenerate_recovery_codes(request, user)
            return render(request, "recovery_codes.html", {
                "title": _("Your recovery codes"), "codes": codes, "continue_url": reverse(
                    "secure_shopadmin:twofactor_manage")})
        else:
            services.remove_devices(user, request=request, actor=user, reason="removed by the user")
            return redirect(reverse("admin:login"))
    return render(request, "manage.html", {
        "title": _("Two-factor authentication"), "form": form,
        "devices": services.confirmed_devices(user), "remaining": recovery.remaining(user),
        "browsers": RememberedBrowser.objects.filter(user=user).order_by("-created_at"),
    })


@login_required
@require_POST
def forget_browser(request, pk):
    browsers.forget_one(request.user, pk)
    return redirect("secure_shopadmin:twofactor_manage")
