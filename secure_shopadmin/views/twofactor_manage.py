"""The user's own second factor: passkeys, authenticator apps, recovery codes, remembered browsers.

Sensitive actions (new recovery codes, adding or removing a device) need a fresh second factor: a
code or a passkey's signature in the same POST, or one given within ``REAUTH_MAX_AGE`` seconds on
this page. Every proof is checked through :func:`secure_shopadmin.pipeline.check_code` (the guard's
budget first). Removing a device ends every session of the user, this one too.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import pipeline
from ..twofactor import recovery, services
from ..twofactor.forms import CodeForm, PasskeyForm
from ..twofactor.models import RememberedBrowser
from ..twofactor.passkeys import ceremonies as passkeys
from .twofactor import SENSITIVE, app_context, bound, render

#: actions that need a fresh second factor
SENSITIVE_ACTIONS = ("confirm", "regenerate", "remove", "remove_device", "add_passkey", "add_app")
MANAGE = "secure_shopadmin:twofactor_manage"


def proven(request, user, action, form, key_form):
    """Whether this POST may do ``action``: a code or passkey answer in it passes (and makes the
    session fresh), or the session is fresh. Returns None when it may, else the message to show."""
    stale = CodeForm.error_messages["stale"]
    if action == "add_passkey":  # its answer is the new key's registration, no proof of the user
        return None if services.is_fresh(request) else stale
    if key_form.is_valid():
        checked = pipeline.check_code(request, user, passkey_answer=key_form.cleaned_data["passkey_answer"])
        errors = PasskeyForm.error_messages
    elif form.is_valid():
        checked = pipeline.check_code(request, user, form.cleaned_data["otp_token"])
        errors = CodeForm.error_messages
    elif form.is_bound or key_form.is_bound:
        return CodeForm.error_messages["invalid"]
    else:
        return None if services.is_fresh(request) else stale
    if not checked.ok:
        return errors["throttled" if checked.refused else "passkey_required" if checked.passkey_required else "invalid"]
    services.mark_fresh(request)
    return None


def act(request, user, action):
    """Do a proven action; returns the response."""
    if action == "regenerate":
        return render(request, "recovery_codes.html", {
            "title": _("Your recovery codes"), "codes": services.regenerate_recovery_codes(request, user),
            "continue_url": reverse(MANAGE)})
    if action == "remove":
        services.remove_devices(user, request=request, actor=user, reason="removed by the user")
        return logged_out(request)
    if action == "remove_device":
        name = services.remove_device(user, request.POST.get("kind"), as_int(request.POST.get("device")),
                                      request=request, actor=user)
        if name is not None:
            return logged_out(request)
        messages.error(request, _("No such device."))
    elif action == "add_passkey":
        key_form = PasskeyForm(request.POST)
        device = key_form.is_valid() and services.add_passkey(
            request, user, key_form.cleaned_data["passkey_answer"], key_form.cleaned_data["passkey_name"])
        if device:
            messages.success(request, _("The passkey “%(name)s” was added.") % {"name": device.name})
        else:
            messages.error(request, PasskeyForm.error_messages["invalid"])
    elif action == "add_app":
        return redirect("secure_shopadmin:twofactor_add_app")
    return redirect(MANAGE)


def logged_out(request):
    """Every session of the user was ended, this one too: log it out here as well, and go to the login."""
    logout(request)
    return redirect(reverse("admin:login"))


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def manage(request):
    user, problems = request.user, []
    form = CodeForm(bound(request, "otp_token"))
    key_form = PasskeyForm(request.POST if request.method == "POST" and request.POST.get("action") != "add_passkey"
                           and "passkey_answer" in request.POST else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rename_passkey":
            if not passkeys.rename(user, as_int(request.POST.get("device")), request.POST.get("name", "")):
                messages.error(request, _("Give the passkey a name."))
            return redirect(MANAGE)
        problem = proven(request, user, action, form, key_form) if action in SENSITIVE_ACTIONS \
            else CodeForm.error_messages["invalid"]
        if problem is None:
            return act(request, user, action)
        problems.append(problem)
    fresh = services.is_fresh(request)
    return render(request, "manage.html", {
        "title": _("Two-factor authentication"), "form": form, "problems": problems, "fresh": fresh,
        "codes_accepted": services.accepts_codes(user),
        "passkeys": passkeys.passkeys(user), "devices": services.confirmed_devices(user),
        "remaining": recovery.remaining(user),
        "browsers": RememberedBrowser.objects.filter(user=user).order_by("-created_at"),
        "passkey_options": services.registration_options(request, user) if fresh
        else services.passkey_options(request, user),
        "ceremony": "create" if fresh else "get",
    })


@login_required
@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def add_app(request):
    """Another authenticator app, with a fresh second factor (the QR code of a new pending key)."""
    user = request.user
    if not services.is_fresh(request):
        return redirect(MANAGE)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.add_authenticator(request, user, form.cleaned_data["otp_token"])
        if device is not None:
            messages.success(request, _("The authenticator app “%(name)s” was added.") % {"name": device.name})
            return redirect(MANAGE)
        form.reject()
    return render(request, "enrol.html", {"title": _("Add an authenticator app"), "form": form, "adding": True,
                                          "codes_accepted": True, **app_context(user)})
