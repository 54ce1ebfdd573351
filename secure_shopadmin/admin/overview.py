"""The Security overview page: the shop's figures, a chart of failures per day and the check findings."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import overview
from ..audit.models import SecurityOverview
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
        }
        return TemplateResponse(request, "secure_shopadmin/admin/overview.html", context)
