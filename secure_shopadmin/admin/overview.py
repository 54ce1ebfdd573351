"""The Security overview page: the shop's figures, a chart of failures per day, the check findings,
and the break-glass passes in force, each with a revoke button."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import overview
from ..audit.models import SecurityOverview
from ..console import passes
from ..console.privileges import recent_grants
from ..management.commands.security_report import check_findings
from .base import ReadOnlyAdminMixin
from .chart import bar_chart


@admin.register(SecurityOverview)
class SecurityOverviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = overview.collect()
        failed = {figure.key for figure, _limit in overview.failed_thresholds(figures)}
        daily = overview.daily_failures()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Security overview"),
            "opts": self.model._meta,
            "figures": figures,
            "failed": failed,
            "chart": bar_chart(daily, _("Failed logins per day")),
            "findings": check_findings(),
            "grants": recent_grants(),
            "passes": list(passes.live()),
            "may_revoke_passes": self.may_revoke_passes(request),
        }
        return TemplateResponse(request, "secure_shopadmin/admin/overview.html", context)

    def get_urls(self):
        revoke = self.admin_site.admin_view(require_POST(self.revoke_pass_view))
        return [path("passes/<int:pass_id>/revoke/", revoke, name="secure_shopadmin_consolepass_revoke"),
                *super().get_urls()]

    def may_revoke_passes(self, request):
        return request.user.has_perm("secure_shopadmin.change_consolepass")

    def revoke_pass_view(self, request, pass_id):
        """POST: revoke one break-glass pass in force (audited); its browser is refused from then on."""
        if not self.may_revoke_passes(request):
            raise PermissionDenied
        if passes.revoke(pass_id, request=request):
            messages.success(request, _("The break-glass pass is revoked."))
        else:
            messages.warning(request, _("That pass is no longer in force; nothing was done."))
        return redirect("admin:secure_shopadmin_securityoverview_changelist")
