"""Forced resets in the admin: an action on the user changelist, the state and buttons on a user's
page, a changelist of requirements (filters with counts) and one of outgoing mails."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..console.decorators import fresh_code_required
from ..core.links import base_url
from ..resets import outbox, services
from ..resets.forms import CancelResetForm, RequireResetForm
from ..resets.models import MailState, OutgoingMail, ResetRequirement
from .base import confirm_one, target_or_404
from .users import user_admin_mixin

#: mails sent inside the admin's request; the rest stay queued for ``force_password_reset --send-queued``
SEND_IN_REQUEST_LIMIT = 200
PREVIEW_COUNT = 50


def send_from_admin(model_admin, request):
    report = services.send_reset_mails(limit=SEND_IN_REQUEST_LIMIT)
    left = OutgoingMail.objects.filter(template__in=services.RESET_MAILS, state=MailState.QUEUED).count()
    model_admin.message_user(request, _("%(sent)d mails sent, %(failed)d failed, %(left)d still queued.") % {
        "sent": report.sent, "failed": report.failed, "left": left}, messages.INFO)


@user_admin_mixin
class ResetUserAdminMixin:
    """Adds "Require password reset" (bulk, with a confirmation page) and the state on a user's page."""

    def security_actions(self, request):
        names = super().security_actions(request)
        if self.has_change_permission(request):
            names = [*names, "require_password_reset"]
        return names

    @fresh_code_required
    def require_password_reset(self, request, queryset):
        """Intermediate page (mode, reason, mail) like Django's delete confirmation; then acts in bulk."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        select_across = request.POST.get("select_across") == "1"
        form = RequireResetForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            result = services.require_reset(
                queryset, mode=data["mode"], category=data["category"], reason=data["reason"], actor=request.user,
                request=request, notify=data["notify"], base_url=base_url(request),
            )
            self.message_user(request, _(
                "Password reset required of %(new)d users (%(upgraded)d upgraded to compromised); "
                "%(pending)d already had one.") % {"new": len(result.required), "upgraded": len(result.upgraded),
                                                   "pending": len(result.already_pending)}, messages.SUCCESS)
            if data["notify"] and data["send_now"]:
                send_from_admin(self, request)
            return None
        total = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Require password reset"),
            "opts": self.model._meta,
            "form": form,
            "total": total,
            "preview": queryset.order_by("pk")[:PREVIEW_COUNT],
            "more": max(0, total - PREVIEW_COUNT),
            "select_across": select_across,
            "selected_ids": [] if select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "includes_self": queryset.filter(pk=request.user.pk).exists(),
        }
        return TemplateResponse(request, "secure_shopadmin/resets/admin_require.html", context)

    require_password_reset.short_description = gettext_lazy("Require password reset")

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path("<path:object_id>/password-reset/require/",
                 self.admin_site.admin_view(self.password_reset_require_view), name=f"{name}_password_reset_require"),
            path("<path:object_id>/password-reset/cancel/",
                 self.admin_site.admin_view(self.password_reset_cancel_view), name=f"{name}_password_reset_cancel"),
            path("<path:object_id>/password-reset/resend/",
                 self.admin_site.admin_view(self.password_reset_resend_view), name=f"{name}_password_reset_resend"),
            *super().get_urls(),
        ]

    def _reset_url(self, suffix, obj):
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{suffix}", args=[obj.pk])

    def security_tools(self, request, obj):
        tools = super().security_tools(request, obj)
        if not self.has_change_permission(request, obj):
            return tools
        requirement = services.pending_requirement(obj)
        if requirement is None:
            tools.append((_("Require password reset"), self._reset_url("password_reset_require", obj)))
        else:
            tools.append((_("Cancel password reset"), self._reset_url("password_reset_cancel", obj)))
            tools.append((_("Resend reset mail"), self._reset_url("password_reset_resend", obj)))
        return tools

    def security_panels(self, request, obj):
        panel = {
            "pending": services.pending_requirement(obj),
            "history": ResetRequirement.objects.filter(user=obj).select_related("required_by")[:5],
            "changelist": reverse(f"{self.admin_site.name}:secure_shopadmin_resetrequirement_changelist"),
        }
        return [*super().security_panels(request, obj),
                (_("Password reset"), "secure_shopadmin/resets/admin_panel.html", panel)]

    def _reset_target(self, request, object_id):
        target = target_or_404(self, request, object_id)
        if not self.has_change_permission(request, target):
            raise PermissionDenied
        return target

    @fresh_code_required
    def password_reset_require_view(self, request, object_id):
        target = self._reset_target(request, object_id)
        form = RequireResetForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.require_reset([target.pk], mode=data["mode"], category=data["category"], reason=data["reason"],
                                   actor=request.user, request=request, notify=data["notify"],
                                   base_url=base_url(request))
            self.message_user(request, _("A password reset is now required of this user."), messages.SUCCESS)
            if data["notify"] and data["send_now"]:
                send_from_admin(self, request)
            return redirect(self._reset_url("change", target))
        return confirm_one(self, request, target, form, _("Require password reset"), _(
            "All of the user's sessions and API tokens end now. In compromised mode the password stops "
            "working at once and the user sets a new one through a mailed link."))

    @fresh_code_required
    def password_reset_cancel_view(self, request, object_id):
        target = self._reset_target(request, object_id)
        form = CancelResetForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            services.cancel(ResetRequirement.objects.filter(user=target), actor=request.user, request=request,
                            reason=form.cleaned_data["reason"])
            self.message_user(request, _("The password reset was cancelled."), messages.SUCCESS)
            return redirect(self._reset_url("change", target))
        return confirm_one(self, request, target, form, _("Cancel password reset"), _(
            "The requirement is withdrawn. A password made unusable stays unusable: set one for the user or "
            "let them use the ordinary password reset."))

    def password_reset_resend_view(self, request, object_id):
        target = self._reset_target(request, object_id)
        requirement = services.pending_requirement(target)
        if requirement is None:
            return redirect(self._reset_url("change", target))
        if request.method == "POST":
            rows = services.resend_mail(requirement, base_url(request))
            report = outbox.send_now(rows)
            self.message_user(request, _("Reset mails sent: %(sent)d, failed: %(failed)d.") % {
                "sent": report.sent, "failed": report.failed}, messages.INFO)
            return redirect(self._reset_url("change", target))
        return confirm_one(self, request, target, None, _("Resend reset mail"), _(
            "A new mail is sent now; for compromised resets its link replaces the previous one."))


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"
    FILTERS = {
        "pending": Q(satisfied_at__isnull=True, cancelled_at__isnull=True),
        "mailed": Q(satisfied_at__isnull=True, cancelled_at__isnull=True, mailed_at__isnull=False),
        "not_mailed": Q(satisfied_at__isnull=True, cancelled_at__isnull=True, mailed_at__isnull=True),
        "satisfied": Q(satisfied_at__isnull=False),
        "cancelled": Q(cancelled_at__isnull=False),
    }
    LABELS = {
        "pending": gettext_lazy("Pending"), "mailed": gettext_lazy("Pending, mailed"),
        "not_mailed": gettext_lazy("Pending, not mailed"), "satisfied": gettext_lazy("Satisfied"),
        "cancelled": gettext_lazy("Cancelled"),
    }

    def lookups(self, request, model_admin):
        counts = ResetRequirement.objects.aggregate(**{key: Count("pk", filter=q) for key, q in self.FILTERS.items()})
        return [(key, f"{label} ({counts[key]})") for key, label in self.LABELS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.FILTERS:
            return queryset.filter(self.FILTERS[self.value()])
        return queryset


@admin.register(ResetRequirement)
class ResetRequirementAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "category", "status", "required_at", "required_by", "mailed_at", "mail_count",
                    "link_used_at", "satisfied_at"]
    list_filter = [StatusFilter, "mode", "category", "required_at"]
    list_select_related = ["user", "required_by"]
    search_fields = ["user__username", "user__email", "reason"]
    date_hierarchy = "required_at"
    readonly_fields = ["user", "mode", "category", "reason", "required_by", "required_at", "link_expires_at",
                       "link_used_at", "mailed_at", "mail_count", "satisfied_at", "cancelled_at", "cancelled_by"]
    exclude = ["old_password_wrapped", "link_digest"]
    actions = ["resend_mails", "cancel_requirements"]

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj):
        return obj.status_label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Resend the reset mail"), permissions=["change"])
    def resend_mails(self, request, queryset):
        rows = []
        for requirement in queryset.pending():
            rows += services.resend_mail(requirement, base_url(request))
        report = outbox.send_queued(OutgoingMail.objects.filter(pk__in=[r.pk for r in rows]), retry_failed=False,
                                    limit=SEND_IN_REQUEST_LIMIT)
        self.message_user(request, _("%(sent)d mails sent, %(failed)d failed, %(left)d still queued.") % {
            "sent": report.sent, "failed": report.failed, "left": max(0, len(rows) - report.sent - report.failed)})

    @admin.action(description=gettext_lazy("Cancel the selected requirements"), permissions=["change"])
    @fresh_code_required
    def cancel_requirements(self, request, queryset):
        form = CancelResetForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            done = services.cancel(queryset, actor=request.user, request=request, reason=form.cleaned_data["reason"])
            self.message_user(request, _("%(count)d requirements cancelled.") % {"count": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request), "title": _("Cancel the selected requirements"),
            "opts": self.model._meta, "form": form, "total": queryset.count(),
            "preview": queryset.select_related("user")[:PREVIEW_COUNT], "action": "cancel_requirements",
            "select_across": request.POST.get("select_across") == "1",
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "secure_shopadmin/resets/admin_cancel.html", context)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Mails in the queue; those left in ``sending`` by a killed run are for the operator to decide."""

    list_display = ["id", "user", "template", "state", "attempts", "created_at", "claimed_at", "sent_at",
                    "last_error"]
    list_filter = ["state", "template"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "dedupe_key"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["requeue", "mark_sent"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Queue again (failed, or sending but known not sent)"),
                  permissions=["change"])
    def requeue(self, request, queryset):
        count = queryset.filter(state__in=[MailState.FAILED, MailState.SENDING]).update(state=MailState.QUEUED)
        self.message_user(request, _("%(count)d mails queued again.") % {"count": count})

    @admin.action(description=gettext_lazy("Mark as sent (sending, and known to have left)"), permissions=["change"])
    def mark_sent(self, request, queryset):
        count = queryset.filter(state=MailState.SENDING).update(state=MailState.SENT)
        self.message_user(request, _("%(count)d mails marked as sent.") % {"count": count})
