"""The login views: thin shells around :func:`secure_shopadmin.pipeline.login_with_password` and
:func:`~secure_shopadmin.pipeline.login_with_passkey` (a sign-in passkey, no username)."""

from django.conf import settings
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import pipeline
from ..console import networks
from ..core.looks import home_url
from ..core.redirects import is_safe, safe_redirect
from ..core.sensitive import secret_variables
from ..forms import LoginForm
from ..lockout.responses import lockout_response
from ..twofactor import services as twofactor_services

PASSKEY_FIELD = "passkey_answer"


def safe_next_url(request, url):
    return url if is_safe(request, url) else ""


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class LoginView(View):
    """A login page whose POST runs the whole pipeline. Configure with ``as_view(channel=…, …)``."""

    channel = pipeline.Channel.STOREFRONT
    template_name = "secure_shopadmin/login.html"
    success_url = None
    extra_context = None

    def get_success_url(self):
        return resolve_url(self.success_url) if self.success_url else home_url(self.channel)

    def get_next_url(self):
        return safe_next_url(self.request, self.request.POST.get("next") or self.request.GET.get("next"))

    def get(self, request, *args, **kwargs):
        partial = pipeline.PartialLogin.load(request)
        if partial is not None and partial.step_url:
            return safe_redirect(request, partial.step_url)
        return self.render(LoginForm(request=request))

    @method_decorator(secret_variables)
    def post(self, request, *args, **kwargs):
        if PASSKEY_FIELD in request.POST:
            return self.passkey_post(request)
        form = LoginForm(request.POST, request=request)
        if not form.is_valid():
            return self.render(form)
        outcome = pipeline.login_with_password(
            request, form.cleaned_data["username"], form.cleaned_data["password"],
            channel=self.channel, next_url=self.get_next_url(),
        )
        if outcome.status == outcome.REFUSED:
            return lockout_response(request, retry_after=outcome.retry_after)
        if outcome.status in (outcome.PENDING, outcome.DONE):
            return safe_redirect(request, outcome.redirect_url or self.get_success_url())
        form.add_invalid_login_error()
        return self.render(form)

    def passkey_post(self, request):
        """The answer of a sign-in passkey (the button, or the browser's offer in the username field)."""
        outcome = pipeline.login_with_passkey(request, request.POST.get(PASSKEY_FIELD, ""),
                                              channel=self.channel, next_url=self.get_next_url())
        if outcome.status == outcome.REFUSED:
            return lockout_response(request, retry_after=outcome.retry_after)
        if outcome.status in (outcome.PENDING, outcome.DONE):
            return safe_redirect(request, outcome.redirect_url or self.get_success_url())
        return self.render(LoginForm(request=request), passkey_error=_(
            "That passkey was not accepted. Use a passkey registered for signing in, unlocked with your PIN, "
            "fingerprint or face, or log in with your password."))

    def get_context_data(self, form):
        context = {"form": form, "next": self.get_next_url(), "app_path": self.request.get_full_path(),
                   "passkey_sign_in_options": twofactor_services.sign_in_options(self.request)}
        context.update(self.extra_context or {})
        return context

    def render(self, form, **extra):
        return TemplateResponse(self.request, self.template_name, {**self.get_context_data(form), **extra})


class ConsoleLoginView(LoginView):
    """An admin site's login, in the admin's look, through the pipeline; staff only."""

    channel = pipeline.Channel.CONSOLE
    site = None

    def dispatch(self, request, *args, **kwargs):
        if not networks.admits(request):  # a console login mounted outside an admin site's URLs
            return networks.refusal(request)
        if request.method == "GET" and self.site.has_permission(request):
            return safe_redirect(request, self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("admin:index", current_app=self.site.name)

    def get_context_data(self, form):
        context = {
            **self.site.each_context(self.request),
            "title": _("Log in"),
            "site_header": self.site.site_header,
            "username": self.request.user.get_username(),
            **super().get_context_data(form),
        }
        if not context["next"]:
            context["next"] = self.get_success_url()
        return context


def console_login(request, site):
    """Serve ``site``'s login view (the middleware routes every admin site's login here)."""
    template_name = site.login_template or "secure_shopadmin/console_login.html"
    return ConsoleLoginView.as_view(site=site, template_name=template_name)(request)


@require_POST
@csrf_protect
def cancel_login(request):
    """Abandon a partial login (the "cancel" button of every step page)."""
    partial = pipeline.PartialLogin.load(request)
    pipeline.discard_partial(request)
    if partial is not None and partial.channel == pipeline.Channel.CONSOLE:
        return safe_redirect(request, "admin:login")
    return safe_redirect(request, settings.LOGIN_URL)
