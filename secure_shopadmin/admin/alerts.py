"""Login history in the admin: the login records (read-only, filtered) and, on a user's page,
recent logins, active sessions and an audited "end all sessions"."""

import ipaddress

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..alerts import records
from ..alerts.models import LoginRecord
from ..alerts.risk import reason_label
from ..audit.models import EventKind
from ..audit.services import record as audit
from ..console.decorators import fresh_code_required
from ..core import sessions
from .base import ReadOnlyAdminMixin, confirm_one, target_or_404
from .users import user_admin_mixin

PERMISSION = "secure_shopadmin.end_user_sessions"


class InputFilter(admin.SimpleListFilter):
    """A list filter that is a text box (a user list of 100,000 members would not fit a menu)."""

    template = "secure_shopadmin/alerts/admin_input_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        hidden = [(k, v) for k, v in changelist.get_filters_params().items()
                  if k != self.parameter_name and k != PAGE_VAR]
        flat = [(k, item) for k, v in hidden for item in (v if isinstance(v, list) else [v])]
        yield {"parameter_name": self.parameter_name, "value": self.value(), "hidden": flat}


class UserFilter(InputFilter):
    title = gettext_lazy("user")
    parameter_name = "username"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset

        field = get_user_model().USERNAME_FIELD
        return queryset.filter(**{f"user__{field}__iexact": value})


class IPFilter(InputFilter):
    title = gettext_lazy("IP address or network")
    parameter_name = "ip_or_network"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        try:
            if "/" in value:
                return queryset.filter(ip_prefix=str(ipaddress.ip_network(value, strict=False)))
            return queryset.filter(ip=str(ipaddress.ip_address(value)))
        except ValueError:
            return queryset.none()


@admin.register(LoginRecord)
class LoginRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: records are written at login and removed only by ``prune_login_records``."""

    #: what a row needs to be scanned, narrow enough for the pane at 1280 px; the rest (login path,
    #: browser and OS, network, digests, disowned) is on the record's own page and in the filters
    list_display = ["time", "user", "outcome", "ip", "risk_level", "alert"]
    list_filter = [UserFilter, IPFilter, "new_environment", "outcome", "channel", "alert", "risk_level", "created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "outcome", "channel", "ip", "ip_prefix", "user_agent", "browser",
                       "browser_version", "os", "device_digest", "session_digest", "new_environment", "alert",
                       "disowned_at", "place_shown", "network_shown", "geo_built", "risk_level", "risk_score",
                       "reasons_shown"]

    @admin.display(description=gettext_lazy("place"))
    def place_shown(self, obj):
        return obj.place or "—"

    @admin.display(description=gettext_lazy("network owner"))
    def network_shown(self, obj):
        return obj.network_owner or "—"

    @admin.display(description=gettext_lazy("risk reasons"))
    def reasons_shown(self, obj):
        return ", ".join(str(reason_label(name)) for name in obj.reason_names) or "—"
    show_full_result_count = False

    @admin.display(description=gettext_lazy("time"), ordering="created_at")
    def time(self, record):
        return date_format(timezone.localtime(record.created_at), "Y-m-d H:i")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=1000)


@user_admin_mixin
class LoginHistoryUserAdminMixin:
    def get_urls(self):
        opts = self.model._meta
        return [
            path("<path:object_id>/sessions/end/", self.admin_site.admin_view(self.end_sessions_view),
                 name=f"{opts.app_label}_{opts.model_name}_end_sessions"),
            *super().get_urls(),
        ]

    def _sessions_url(self, suffix, obj):
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{suffix}", args=[obj.pk])

    def security_tools(self, request, obj):
        tools = super().security_tools(request, obj)
        if request.user.has_perm(PERMISSION):
            tools.append((_("End all sessions"), self._sessions_url("end_sessions", obj)))
        return tools

    def security_panels(self, request, obj):
        panel = {"sessions": sessions.active_sessions(obj), "logins": records.recent_logins(obj, limit=10)}
        if request.user.has_perm("secure_shopadmin.view_loginrecord"):
            opts = LoginRecord._meta
            panel["all_url"] = (reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
                                + f"?{UserFilter.parameter_name}={obj.get_username()}")
        return [*super().security_panels(request, obj),
                (_("Logins and sessions"), "secure_shopadmin/alerts/admin_panel.html", panel)]

    @fresh_code_required
    def end_sessions_view(self, request, object_id):
        """Confirmation page with a reason; the POST ends every session of the user (one audited event)."""
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        target = target_or_404(self, request, object_id)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            keep = request.session.session_key if target == request.user else None
            ended = sessions.end_user_sessions(target, keep_session_key=keep)
            audit(EventKind.SESSIONS_ENDED, request=request, actor=request.user, target=target,
                  reason=form.cleaned_data["reason"], count=ended, scope="all")
            self.message_user(request, _("Sessions ended: %(count)d.") % {"count": ended}, messages.SUCCESS)
            return redirect(self._sessions_url("change", target))
        explanation = _("Every session of this user ends now; they must log in again.")
        if target == request.user:
            explanation = _("Every other session of your account ends now; this one stays.")
        return confirm_one(self, request, target, form, _("End all sessions"), explanation)
