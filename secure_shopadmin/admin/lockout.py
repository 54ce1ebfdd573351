"""The guard in the admin: the current locks (exactly what is locked) and an audited unlock action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..console.decorators import fresh_code_required
from ..lockout import clock, rules, services
from ..lockout.ip import NOTICE_FORWARDED_UNTRUSTED
from ..lockout.models import Counter, GuardNotice
from .base import ReadOnlyAdminMixin

NOTICE_TEXT = {
    NOTICE_FORWARDED_UNTRUSTED: _(
        "Requests arrive with an X-Forwarded-For header but no proxy is trusted: the guard counts "
        "REMOTE_ADDR, which may be your proxy (every client would share one counter). List your proxies in "
        "SECURE_SHOPADMIN['LOCKOUT_TRUSTED_PROXIES']."),
}


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", _("All counters"))]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset.exclude(rule=rules.MAIL)
        return queryset.locked(clock.now())

    def choices(self, changelist):
        yield {"selected": self.value() is None, "display": _("Locked now"),
               "query_string": changelist.get_query_string(remove=[self.parameter_name])}
        yield from list(super().choices(changelist))[1:]


@admin.register(Counter)
class LockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only list of locks; the only change is the audited unlock action."""

    list_display = ["what", "rule", "username", "ip", "failures", "until", "level", "last_failure_at"]
    list_filter = [StateFilter, "rule"]
    search_fields = ["username", "ip"]
    actions = ["unlock"]
    ordering = ["-last_failure_at"]

    @admin.display(description=_("locked"))
    def what(self, obj):
        return {
            rules.PAIR: _("this account from this IP"), rules.IP: _("every login from this IP"),
            rules.ACCOUNT: _("this account from everywhere"), rules.OTP: _("codes for this account from this IP"),
        }.get(obj.rule, obj.rule)

    @admin.display(description=_("until"))
    def until(self, obj):
        now = clock.now()
        if obj.locked_until and obj.locked_until >= rules.UNTIL_UNLOCKED:
            return _("until unlocked")
        if obj.locked_until and obj.locked_until > now:
            return obj.locked_until
        if obj.delayed_until and obj.delayed_until > now:
            return _("delayed until %(time)s (known browsers pass)") % {"time": obj.delayed_until}
        return "—"

    @admin.action(description=_("Unlock the selected locks"), permissions=["unlock"])
    @fresh_code_required
    def unlock(self, request, queryset):
        rows = list(queryset)
        for counter in rows:
            services.unlock(counter, request=request, reason=f"unlocked by {request.user.get_username()} in the admin")
        self.message_user(request, ngettext("%(count)d lock lifted.", "%(count)d locks lifted.", len(rows))
                          % {"count": len(rows)}, messages.SUCCESS)

    def has_unlock_permission(self, request):
        return request.user.has_perm("secure_shopadmin.change_counter")


    def changelist_view(self, request, extra_context=None):
        for notice in GuardNotice.objects.all():
            messages.warning(request, NOTICE_TEXT.get(notice.code, notice.code))
        return super().changelist_view(request, extra_context)
