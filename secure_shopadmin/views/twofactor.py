"""Second-factor pages: thin views over :mod:`secure_shopadmin.twofactor.services`; every change is a POST.

They live above the pipeline: the step views hand over to it, and every code is checked through
:func:`secure_shopadmin.pipeline.check_code` (the guard's budget first).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import pipeline
from ..conf import app_settings
from ..console.decorators import fresh_code_required
from ..core.looks import home_url, page_context
from ..core.mail import printed_to_console, shop_name
from ..core.partial import at_step, discard_partial
from ..core.redirects import safe_redirect, safe_url
from ..core.sensitive import secret_variables
from ..core.steps import channel_for
from ..lockout.responses import lockout_response
from ..twofactor import browsers, links, services, signals, totp
from ..twofactor.forms import CodeForm, CodesSavedForm, PasskeyForm, VerifyForm
from ..twofactor.models import EnrolmentLink
from ..twofactor.stage import ENROL, ENROL_MAILED, VERIFY

SENSITIVE = sensitive_post_parameters("otp_token", "passkey_answer")


def render(request, template, context, status=200, user=None):
    """A page in the console look for a console login or staff (``user``: a link's owner), else the shop's."""
    context = {**page_context(request, user=user), **context}
    return TemplateResponse(request, f"secure_shopadmin/twofactor/{template}", context, status=status)


def after_pipeline(request, outcome, default="/"):
    return safe_redirect(request, outcome.redirect_url or default)


def default_url(partial):
    return home_url(partial.channel)


@secret_variables
@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step: a passkey (a button running navigator.credentials.get), with TOTP and recovery
    codes as fallbacks unless the user must sign with a passkey."""
    partial, user = at_step(request, VERIFY)
    if user is None:
        return safe_redirect(request, "admin:login")
    may_remember = browsers.may_remember(user)
    form = VerifyForm(bound(request, "otp_token"), may_remember=may_remember,
                      remember_days=app_settings.REMEMBER_BROWSER_DAYS)
    key_form = PasskeyForm(bound(request, "passkey_answer"))
    for used, field in ((key_form, "passkey_answer"), (form, "otp_token")):
        if not used.is_valid():
            continue
        proof = {"passkey_answer": used.cleaned_data[field]} if used is key_form else {"code": used.cleaned_data[field]}
        checked = pipeline.check_code(request, user, **proof, login_step=True)
        if checked.retry_after:
            discard_partial(request)
            return lockout_response(request, checked.retry_after, codes=True)
        if not checked.ok:
            used.reject("passkey_required" if checked.passkey_required else "invalid")
            break
        signals.verified.send(sender=VerifyForm, request=request, user=user, method=checked.method)
        outcome = pipeline.step_done(request, VERIFY, second_factor=checked.method)
        response = after_pipeline(request, outcome, default_url(partial))
        if may_remember and used.cleaned_data.get("remember") and outcome.ok:
            browsers.remember(response, request, user)
        return response
    return render(request, "verify.html", {
        "form": form, "key_form": key_form, "title": _("Two-factor authentication"),
        "codes_accepted": services.accepts_codes(user), "passkey_options": services.passkey_options(request, user),
    })


def bound(request, field):
    """The POST data if it carries ``field`` (which of a page's forms was sent), else None."""
    return request.POST if request.method == "POST" and field in request.POST else None


@never_cache
def mailed(request):
    partial, user = at_step(request, ENROL_MAILED)
    if user is None:
        return safe_redirect(request, "admin:login")
    state = partial.facts.get("enrolment_mail", links.SENT)
    return render(request, "mailed.html", {
        "title": _("Check your mail") if state != links.FAILED else _("The mail could not be sent"),
        "mail_state": state, "resend_minutes": max(1, app_settings.ENROLMENT_LINK_RESEND_AFTER // 60),
        "mail_on_console": printed_to_console()})


@secret_variables
@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token):
    """A mailed enrolment or break-glass link: GET shows a button, only the POST spends the link."""
    found = links.find_usable(token)
    if found is None:
        return render(request, "link_invalid.html", {"title": _("Link not valid")}, status=410)
    if request.method == "GET":
        return render(request, "link.html", {"title": _("Set up two-factor authentication"), "link": found},
                      user=found.user)
    if not links.spend(found):
        return render(request, "link_invalid.html", {"title": _("Link not valid")}, status=410)
    user = found.user
    if found.purpose == EnrolmentLink.Purpose.BREAK_GLASS:
        services.break_glass(request, found)
    channel = channel_for(user)
    outcome = pipeline.login_with_proof(request, user, proof=f"{found.purpose}_link", channel=channel)
    return after_pipeline(request, outcome)


@secret_variables
@SENSITIVE
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Reached only through the mailed link: a passkey or security key, or an authenticator app."""
    partial, user = at_step(request, ENROL)
    if user is None:
        return safe_redirect(request, "admin:login")
    codes_accepted = services.accepts_codes(user)
    form = CodeForm(bound(request, "otp_token"))
    key_form = PasskeyForm(bound(request, "passkey_answer"))
    codes, method = None, ""
    if key_form.is_valid():
        codes, method = services.enrol_passkey(request, user, key_form.cleaned_data["passkey_answer"],
                                               key_form.cleaned_data["passkey_name"]), "passkey"
        if codes is None:
            key_form.reject()
    elif codes_accepted and form.is_valid():
        codes, method = services.confirm_enrolment(request, user, form.cleaned_data["otp_token"]), "totp"
        if codes is None:
            form.reject()
    if codes is not None:
        outcome = pipeline.step_done(request, ENROL, second_factor=method)
        return recovery_codes_page(request, user, codes,
                                   safe_url(request, outcome.redirect_url, fallback=default_url(partial)))
    context = {"title": _("Set up two-factor authentication"), "form": form, "key_form": key_form,
               "codes_accepted": codes_accepted, "passkey_options": services.registration_options(request, user)}
    if codes_accepted:
        context.update(app_context(user))
    return render(request, "enrol.html", context)


def recovery_codes_page(request, user, codes, continue_url):
    """The page showing ``user``'s new recovery codes (only now), whose "continue" asks "saved them?" first."""
    return render(request, "recovery_codes.html", {
        "title": _("Your recovery codes"), "codes": codes, "username": user.get_username(), "shop": shop_name(),
        "saved_form": CodesSavedForm(initial={"next": continue_url}),
        "download_name": f"{slugify(shop_name()) or 'shop'}-recovery-codes.txt",
    })


@never_cache
@require_POST
def codes_saved(request):
    """The recovery codes page's "continue". Unticked, it answers 204 No Content: the browser stays
    on the page that shows the codes (they are never shown again)."""
    form = CodesSavedForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=204)
    return safe_redirect(request, form.cleaned_data["next"])


def app_context(user):
    device = totp.pending_device(user)
    return {"qr_svg": totp.qr_svg(device), "key": totp.grouped_key(device),
            "issuer": app_settings.TOTP_ISSUER or shop_name()}


@login_required
@require_POST
@fresh_code_required
def forget_browser(request, pk):
    browsers.forget_one(request.user, pk)
    return safe_redirect(request, "secure_shopadmin:twofactor_manage")
