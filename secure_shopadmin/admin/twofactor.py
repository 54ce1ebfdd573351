"""Second factor in the admin: the state on a user's page, an audited reset and enrolment links."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ..console.decorators import fresh_code_required
from ..core.policy import requires_2fa
from ..twofactor import links, recovery, services
from ..twofactor.forms import ReasonForm
from ..twofactor.models import AuthenticatorDevice, EnrolmentLink, RememberedBrowser
from .base import confirm_one, target_or_404
from .users import user_admin_mixin

PERMISSION = "secure_shopadmin.reset_two_factor"


@user_admin_mixin
class TwoFactorUserAdminMixin:
    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path("<path:object_id>/two-factor/reset/", self.admin_site.admin_view(self.two_factor_reset_view),
                 name=f"{name}_two_factor_reset"),
            path("<path:object_id>/two-factor/link/", self.admin_site.admin_view(self.two_factor_link_view),
                 name=f"{name}_two_factor_link"),
            *super().get_urls(),
        ]

    def _url(self, suffix, obj):
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{suffix}", args=[obj.pk])

    def security_tools(self, request, obj):
        tools = super().security_tools(request, obj)
        if request.user.has_perm(PERMISSION) and obj != request.user:
            if services.has_device(obj):
                tools.append((_("Reset two-factor"), self._url("two_factor_reset", obj)))
            else:
                tools.append((_("Mail an enrolment link"), self._url("two_factor_link", obj)))
        return tools

    def security_panels(self, request, obj):
        panel = {
            "required": requires_2fa(obj),
            "devices": AuthenticatorDevice.objects.filter(user=obj, confirmed=True),
            "recovery_left": recovery.remaining(obj),
            "browsers": RememberedBrowser.objects.filter(user=obj).count(),
            "links": EnrolmentLink.objects.filter(user=obj).order_by("-created_at")[:3],
        }
        return [*super().security_panels(request, obj),
                (_("Two-factor authentication"), "secure_shopadmin/admin/two_factor_panel.html", panel)]

    def _target(self, request, object_id):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        target = target_or_404(self, request, object_id)
        if target == request.user:
            raise PermissionDenied  # one's own second factor is changed on the self-service page
        return target

    @fresh_code_required
    def two_factor_reset_view(self, request, object_id):
        """Confirmation page with a reason; the POST removes devices, ends sessions, mails a link."""
        target = self._target(request, object_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if services.admin_reset(request, target, reason=form.cleaned_data["reason"]) == links.SENT:
                self.message_user(request, _("Two-factor authentication was reset; an enrolment link was mailed."),
                                  messages.SUCCESS)
            else:
                self.message_user(request, _("Two-factor authentication was reset, but the enrolment link could "
                                             "not be mailed (see the log): mail a new one when the mail server "
                                             "works."), messages.ERROR)
            return redirect(self._url("change", target))
        return confirm_one(self, request, target, form, _("Reset two-factor authentication"),
                           _("This removes the user's authenticator apps, passkeys, recovery codes and "
                             "remembered browsers, ends all their sessions and mails them a new enrolment link."))

    def two_factor_link_view(self, request, object_id):
        target = self._target(request, object_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            link, url = links.issue_link(target, issued_by=request.user, request=request,
                                         reason=form.cleaned_data["reason"])
            if links.mail(target, url, request, link) == links.SENT:
                self.message_user(request, _("An enrolment link was mailed to the user."), messages.SUCCESS)
            else:
                self.message_user(request, _("The enrolment link could not be mailed (see the log); try again later "
                                             "or give the user a link from `manage.py twofactor_link`."),
                                  messages.ERROR)
            return redirect(self._url("change", target))
        return confirm_one(self, request, target, form, _("Mail an enrolment link"),
                           _("The user receives a single-use link to set up a passkey or an authenticator app."))


@admin.register(EnrolmentLink)
class EnrolmentLinkAdmin(admin.ModelAdmin):
    """Read-only: the token exists only in the mail."""

    list_display = ["user", "purpose", "issued_by", "created_at", "expires_at", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "purpose", "issued_by", "created_at", "expires_at", "used_at"]
    exclude = ["token_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

