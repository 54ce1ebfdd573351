"""The user's own second factor: passkeys, authenticator apps, recovery codes, remembered browsers.

Every change is a POST under ``fresh_code_required``: when the session's last second factor is
older than ``REAUTH_MAX_AGE``, the re-authentication page asks for one (a passkey, or a code when
the policy accepts codes) and then does the action as it was asked, once. Removing a device ends
every session of the user, this one too.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import pipeline
from ..console.decorators import fresh_code_required
from ..core.redirects import safe_redirect
from ..core.sensitive import secret_variables
from ..lockout.responses import lockout_response
from ..resets import passwordless
from ..twofactor import recovery, services
from ..twofactor.forms import CodeForm, PasskeyForm
from ..twofactor.models import RememberedBrowser
from ..twofactor.passkeys import ceremonies as passkeys
from .twofactor import SENSITIVE, app_context, recovery_codes_page, render

MANAGE = "secure_shopadmin:twofactor_manage"


def act(request, user, action):
    """Do the (fresh) POST's action; returns the response."""
    if action in ("remove", "remove_device") and strands(user, action, request.POST):
        messages.error(request, _("You have no password: keep at least one passkey that signs in, or you "
                                  "could not sign in any more."))
        return safe_redirect(request, MANAGE)
    if action == "regenerate":
        return new_codes_page(request, user)
    if action == "remove":
        services.remove_devices(user, request=request, actor=user, reason="removed by the user")
        return logged_out(request)
    if action == "remove_device":
        name = services.remove_device(user, request.POST.get("kind"), as_int(request.POST.get("device")),
                                      request=request, actor=user)
        if name is not None:
            return logged_out(request)
        messages.error(request, _("No such device."))
    elif action in ("add_passkey", "add_sign_in_passkey"):
        was_off = not services.has_device(user)
        if add_passkey(request, user, sign_in=action == "add_sign_in_passkey") and was_off:
            return new_codes_page(request, user)
    elif action == "remove_password":
        return remove_password(request, user)
    elif action == "rename_passkey":
        if not passkeys.rename(user, as_int(request.POST.get("device")), request.POST.get("name", "")):
            messages.error(request, _("Give the passkey a name."))
    return safe_redirect(request, MANAGE)


def add_passkey(request, user, *, sign_in=False):
    """Register the posted passkey; returns it, or None (the reason is said in a message)."""
    form = PasskeyForm(request.POST)
    device = form.is_valid() and services.add_passkey(
        request, user, form.cleaned_data["passkey_answer"], form.cleaned_data["passkey_name"], sign_in=sign_in)
    if device:
        messages.success(request, _("The passkey “%(name)s” was added.") % {"name": device.name})
        return device
    messages.error(request, PasskeyForm.error_messages["invalid"])
    return None


def new_codes_page(request, user):
    """A new set of recovery codes (asked for, or the first when a first device turned 2FA on here)."""
    codes = services.regenerate_recovery_codes(request, user)
    return recovery_codes_page(request, user, codes, reverse(MANAGE))


def strands(user, action, data):
    """Whether removing would leave a user without a password also without a sign-in passkey."""
    if user.has_usable_password():
        return False
    keys = passkeys.sign_in_passkeys(user)
    if action == "remove_device" and data.get("kind") == "passkey":
        keys = keys.exclude(pk=as_int(data.get("device")))
    elif action == "remove_device":
        return False
    return action == "remove" or not keys.exists()


def remove_password(request, user):
    """A member signs in with a passkey only from now: a fresh assertion of a sign-in passkey first."""
    form = PasskeyForm(request.POST)
    if not passwordless.may_remove_password(user) or not form.is_valid():
        messages.error(request, PasskeyForm.error_messages["invalid"])
        return safe_redirect(request, MANAGE)
    checked = pipeline.check_code(request, user, passkey_answer=form.cleaned_data["passkey_answer"],
                                  sign_in_passkey=True)
    if checked.refused:
        return lockout_response(request, checked.retry_after, codes=True)
    if not checked.ok:
        messages.error(request, PasskeyForm.error_messages["invalid"])
        return safe_redirect(request, MANAGE)
    passwordless.remove_password(request, user)
    messages.success(request, _("Your password was removed. You sign in with your passkey from now on."))
    return safe_redirect(request, MANAGE)


def self_service(view):
    """A self-service page of a logged-in user: secrets kept out of error reports, never cached, and every
    change behind a fresh second factor."""
    for decorate in (fresh_code_required, require_http_methods(["GET", "POST"]), never_cache, SENSITIVE,
                     login_required, secret_variables):
        view = decorate(view)
    return view


def logged_out(request):
    """Every session of the user was ended, this one too: log it out here as well, and go to the login."""
    logout(request)
    return safe_redirect(request, reverse("admin:login"))


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@self_service
def manage(request):
    user = request.user
    if request.method == "POST":
        return act(request, user, request.POST.get("action"))
    keys, devices = passkeys.passkeys(user), services.confirmed_devices(user)
    return render(request, "manage.html", {
        "title": _("Two-factor authentication"), "two_factor_on": bool(keys) or bool(devices),
        "passkeys": keys, "devices": devices,
        "remaining": recovery.remaining(user),
        "browsers": RememberedBrowser.objects.filter(user=user).order_by("-created_at"),
        "passkey_options": services.registration_options(request, user),
        "sign_in_passkey_options": services.registration_options(request, user, sign_in=True),
        "password_removal_options": (services.sign_in_passkey_options(request, user)
                                     if passwordless.may_remove_password(user) else None),
        "has_password": user.has_usable_password(),
    })


@self_service
def add_app(request):
    """Another authenticator app beside the others: the QR code of a new pending key, then its code."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        was_off = not services.has_device(user)
        device = services.add_authenticator(request, user, form.cleaned_data["otp_token"])
        if device is not None:
            messages.success(request, _("The authenticator app “%(name)s” was added.") % {"name": device.name})
            return new_codes_page(request, user) if was_off else safe_redirect(request, MANAGE)
        form.reject()
    return render(request, "enrol.html", {"title": _("Add an authenticator app"), "form": form, "adding": True,
                                          "codes_accepted": True, **app_context(user)})
