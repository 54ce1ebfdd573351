"""Thin views of forced resets: the mailed link, the new password, a new link, the e-mail change.

Nothing changes on GET (mail scanners open links): every action is a CSRF-protected POST.
"""

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from .. import pipeline
from ..conf import app_settings
from ..core.links import base_url
from ..core.looks import home_url, page_context
from ..core.mail import printed_to_console
from ..core.partial import PartialLogin
from ..core.redirects import safe_redirect, safe_url
from ..core.sensitive import secret_variables
from ..core.steps import Channel, channel_for
from ..resets import email_change as email_services
from ..resets import services
from ..resets.forms import NewPasswordForm, ResendLinkForm
from ..twofactor.services import has_device


def render(request, template, context=None, status=200, user=None):
    """A page in the console look for staff (``user``: whose page, if not the request's), else the shop's."""
    base = page_context(request, user=user)
    base.update(context or {})
    return TemplateResponse(request, f"secure_shopadmin/resets/{template}", base, status=status)


def default_redirect(channel):
    return home_url(channel)


@secret_variables
@sensitive_variables("token")
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def reset_link(request, token):
    """GET shows a button (nothing is spent); POST spends the link and starts the pipeline."""
    if request.method != "POST":
        requirement = services.requirement_for_token(token)
        if requirement is None:
            return render(request, "link_invalid.html", {"title": _("This link no longer works")}, status=404)
        return render(request, "link_confirm.html", {"title": _("Choose a new password"), "requirement": requirement},
                      user=requirement.user)
    requirement = services.use_link(token)
    if requirement is None:
        return render(request, "link_invalid.html", {"title": _("This link no longer works")}, status=404)
    if request.user.is_authenticated:
        auth.logout(request)
    outcome = pipeline.login_with_proof(request, requirement.user, proof="reset_link",
                                        channel=channel_for(requirement.user))
    return safe_redirect(request, outcome.redirect_url or reverse("secure_shopadmin:reset_password"))


@secret_variables
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def reset_password(request):
    """The pipeline's "reset" step: choose the new password (after a sign-in passkey: or have none)."""
    partial = PartialLogin.load(request)
    user = partial.get_user() if partial is not None and partial.step == "reset" else None
    requirement = services.pending_requirement(user) if user is not None else None
    if requirement is None or not services.may_complete(requirement, partial):
        return render(request, "expired.html", {"title": _("Your session has expired")}, status=403)
    may_remove = bool(partial.facts.get("passkey_sign_in"))
    removing = may_remove and request.method == "POST" and request.POST.get("action") == "remove_password"
    form = NewPasswordForm(user, requirement, request.POST if request.method == "POST" and not removing else None)
    if removing or (request.method == "POST" and form.is_valid()):
        try:
            services.satisfy(requirement, user, None if removing else form.cleaned_data["new_password1"],
                             request=request)
        except services.ResetError:
            return render(request, "expired.html", {"title": _("Your session has expired")}, status=403)
        channel = partial.channel
        outcome = pipeline.step_done(request, "reset", password_changed_for=user)
        if outcome.status == outcome.DONE:
            services.end_other_sessions(request, user)
            return reset_finished(request, channel, outcome.redirect_url or default_redirect(channel))
        return safe_redirect(request, outcome.redirect_url or default_redirect(channel))
    return render(request, "set_password.html", {
        "title": _("Choose a new password"), "form": form, "requirement": requirement,
        "username": user.get_username(), "may_remove_password": may_remove,
    })


def reset_finished(request, channel, next_url):
    """Say that the password was changed: the admin shows it as a message; a shop's pages may show no
    messages, so a member sees the app's own page, with the next steps, before going on."""
    if channel == Channel.CONSOLE:
        messages.success(request, _("Your password was changed. You are now logged in."))
        return safe_redirect(request, next_url)
    done = reverse("secure_shopadmin:reset_done")
    return safe_redirect(request, f"{done}?{urlencode({'next': safe_url(request, next_url)})}")


@require_http_methods(["GET", "HEAD"])
@never_cache
@login_required
def reset_done(request):
    """A member's finished reset: the password was changed; continue to where the login was going."""
    return render(request, "done.html", {
        "title": _("Your password was changed"), "two_factor_on": has_device(request.user),
        "continue_url": safe_url(request, request.GET.get("next"), fallback=default_redirect(Channel.STOREFRONT)),
    })


@never_cache
def reset_link_needed(request):
    """A ``compromised`` reset reached without its link: explain where the link is."""
    partial = pipeline.PartialLogin.load(request)
    user = partial.get_user() if partial is not None else None
    requirement = services.pending_requirement(user) if user is not None else None
    state = services.last_mail_state(requirement) if requirement is not None else None
    return render(request, "link_needed.html", {"title": _("Check your mail"), "form": ResendLinkForm(),
                                                "requirement": requirement, "mail_state": state,
                                                "mail_on_console": printed_to_console()})


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def reset_resend(request):
    """Ask for a new link; the answer never says whether the address has a pending reset."""
    form = ResendLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_new_link(form.cleaned_data["email"], base_url(request))
        return render(request, "resend_done.html", {
            "title": _("Check your mail"), "resend_minutes": max(1, app_settings.RESET_LINK_RESEND_INTERVAL // 60),
            "mail_on_console": printed_to_console()})
    return render(request, "resend.html", {"title": _("Send me a new link"), "form": form})


@secret_variables
@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def email_change(request):
    """Change one's e-mail address: password again (and the code for staff); the old address is told."""
    form = email_services.EmailChangeForm(request.user, request.POST if request.method == "POST" else None,
                                          request=request, check_code=pipeline.check_code)
    if request.method == "POST" and form.is_valid():
        outcome = email_services.request_change(request.user, form.cleaned_data["email"], request=request)
        if outcome == email_services.CHANGED:
            messages.success(request, _("Your e-mail address was changed. We told your former address."))
        elif outcome == email_services.MAILED:
            messages.success(request, _("We have sent a link to the new address. Your address changes when you "
                                        "open it."))
        else:
            messages.error(request, _("We could not send the mail; try again later or contact the shop."))
        return safe_redirect(request, request.path)
    response = render(request, "email_change.html", {"title": _("Change e-mail address"), "form": form},
                      status=429 if form.retry_after else 200)
    if form.retry_after:
        response["Retry-After"] = str(form.retry_after)
    return response


@secret_variables
@sensitive_variables("token")
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def email_confirm(request, token):
    """The link mailed to a new address: GET shows a button, POST sets the address."""
    title = _("Confirm your new e-mail address")
    if request.method != "POST":
        pending = email_services.pending_change(token)
        state = "confirm" if pending else "invalid"
        return render(request, "email_confirm.html", {"title": title, "state": state,
                                                      "new_email": pending[1] if pending else ""},
                      status=200 if pending else 404, user=pending[0] if pending else None)
    try:
        user = email_services.confirm_change(token, request=request)
    except email_services.EmailChangeFrozen:
        return render(request, "email_confirm.html", {"title": title, "state": "frozen"}, status=403)
    return render(request, "email_confirm.html", {"title": title, "state": "done" if user else "invalid"},
                  status=200 if user else 404)
