"""Breach campaigns ("incidents") in the admin: targets, preview, apply, live progress, export, close.

Views are thin: every change is a POST (CSRF-protected) calling :mod:`secure_shopadmin.campaigns`;
the run happens outside the request (:func:`~secure_shopadmin.campaigns.tasks.launch`) and the page
polls a small JSON endpoint.
"""

import csv

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminTextInputWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ..audit.models import EventKind
from ..audit.services import record
from ..campaigns import mailing, phases, services, targets, tasks
from ..campaigns.forms import AddTargetsForm, CampaignForm, ChooseCampaignForm
from ..campaigns.models import Campaign, CampaignState, RunState, SourceKind
from ..conf import app_settings
from ..console.decorators import fresh_code_required, not_activity
from ..core.spreadsheet import spreadsheet_safe
from .users import user_admin_mixin


def may_change_users(request):
    opts = get_user_model()._meta
    return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class _Echo:
    def write(self, value):
        return value


def placeholders_help():
    """The mail fieldsets' description: each placeholder and what it stands for."""
    items = format_html_join("", "<li><code>{{{}}}</code> {}</li>", mailing.PLACEHOLDER_MEANINGS.items())
    return format_html('<div class="ssa-placeholders"><p>{}</p><ul>{}</ul></div>',
                       _("The subject and the body may use these placeholders:"), items)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["name", "state", "run_state", "target_count", "created_at", "created_by", "applied_at"]
    list_filter = ["state"]
    search_fields = ["name", "description"]
    change_form_template = "secure_shopadmin/campaigns/admin_change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "description", "reason", "wrap_hashes", "send_mails", "base_url"]}),
        (gettext_lazy("Mail (English)"), {"fields": ["mail_subject_en", "mail_body_en"]}),
        (gettext_lazy("Mail (Japanese)"), {"fields": ["mail_subject_ja", "mail_body_ja"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_targets=Count("targets"))

    def get_fieldsets(self, request, obj=None):
        """The class's fieldsets, the mail ones with the placeholders their texts may use."""
        return [(name, {**options, "description": placeholders_help()} if name else options)
                for name, options in self.fieldsets]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name.startswith("mail_subject_"):  # as wide as the body: a subject is a line of text
            kwargs["widget"] = AdminTextInputWidget(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        sources = [label for kind, label in SourceKind.choices if kind != SourceKind.SELECTION]
        return super().add_view(request, form_url, {**(extra_context or {}), "target_sources": sources})

    @admin.display(description=gettext_lazy("targets"), ordering="_targets")
    def target_count(self, obj):
        return obj._targets

    def has_delete_permission(self, request, obj=None):
        return False  # a campaign is closed, never deleted: its record stays

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.state == CampaignState.CLOSED:
            return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]
        if obj.state == CampaignState.APPLIED:
            return ["wrap_hashes", "send_mails"]
        return []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        defaults = Campaign()
        mailing.fill_defaults(defaults)
        for language in mailing.LANGUAGES:
            for name in (f"mail_subject_{language}", f"mail_body_{language}"):
                initial.setdefault(name, getattr(defaults, name))
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        mailing.fill_defaults(obj)
        super().save_model(request, obj, form, change)
        record(EventKind.CAMPAIGN, request=request, campaign=obj, reason=obj.audit_reason(),
               step="edited" if change else "created", fields=sorted(form.changed_data))

    # --- pages ---------------------------------------------------------------------------------

    def get_urls(self):
        def view(func, suffix):
            return path(f"<int:object_id>/{suffix}/", self.admin_site.admin_view(func),
                        name=f"secure_shopadmin_campaign_{suffix.replace('.', '_').replace('-', '_')}")

        return [
            view(self.targets_view, "targets"),
            view(self.apply_view, "apply"),
            view(self.run_view, "run"),
            view(self.close_view, "close"),
            view(self.progress_view, "progress.json"),
            view(self.export_view, "export.csv"),
            view(self.mail_preview_view, "mail-preview"),
            *super().get_urls(),
        ]

    def url(self, name, campaign):
        return reverse(f"{self.admin_site.name}:secure_shopadmin_campaign_{name}", args=[campaign.pk])

    def change_url(self, campaign):
        return reverse(f"{self.admin_site.name}:secure_shopadmin_campaign_change", args=[campaign.pk])

    def _campaign(self, request, object_id, change=True):
        campaign = get_object_or_404(Campaign, pk=object_id)
        allowed = self.has_change_permission(request, campaign) if change else self.has_view_permission(
            request, campaign)
        if not allowed:
            raise PermissionDenied
        return campaign

    def _page(self, request, campaign, template, title, **context):
        return TemplateResponse(request, f"secure_shopadmin/campaigns/{template}", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": campaign,
            "campaign": campaign, "title": title, **context})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        object_id = str(object_id)
        numeric = object_id.isascii() and object_id.isdigit()
        campaign = Campaign.objects.filter(pk=object_id).first() if numeric else None
        extra = dict(extra_context or {})
        if campaign is not None:
            extra.update(self.panel_context(request, campaign))
        return super().change_view(request, object_id, form_url, extra)

    def panel_context(self, request, campaign):
        context = {
            "campaign": campaign,
            "urls": {name: self.url(name, campaign) for name in (
                "targets", "apply", "run", "close", "progress_json", "export_csv", "mail_preview")},
            "may_change": self.has_change_permission(request, campaign) and may_change_users(request),
            "poll_seconds": app_settings.CAMPAIGN_PROGRESS_INTERVAL,
        }
        if campaign.is_draft:
            context["preview"] = services.preview(campaign)
        else:
            context["progress"] = services.progress(campaign)
            context["phase_rows"] = phase_rows(context["progress"]["phases"])
        return context

    def targets_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        if not campaign.is_draft:
            messages.error(request, _("Targets can only be added to a draft campaign."))
            return redirect(self.change_url(campaign))
        form = AddTargetsForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            kind = form.cleaned_data["kind"]
            actor = {"actor": request.user, "request": request}
            if kind == SourceKind.UPLOAD:
                lines, label = form.raw_lines()
                source = targets.add_upload(campaign, lines, label=label or _("pasted lines"), **actor)
            elif kind == SourceKind.ALL_STAFF:
                source = targets.add_all_staff(campaign, **actor)
            elif kind == SourceKind.INACTIVE:
                since = timezone.make_aware(timezone.datetime.combine(form.cleaned_data["since"],
                                                                      timezone.datetime.min.time()))
                source = targets.add_inactive_members(campaign, since, **actor)
            else:
                source = targets.add_legacy_hash_holders(campaign, **actor)
            messages.success(request, _(
                "%(matched)d accounts matched, %(added)d new targets; %(unknown)d lines unknown, "
                "%(duplicates)d duplicates.") % {"matched": source.matched, "added": source.added,
                                                  "unknown": len(source.unknown), "duplicates": source.duplicates})
            return redirect(self.change_url(campaign) + "#preview")
        return self._page(request, campaign, "admin_targets.html", _("Add targets"), form=form)

    @fresh_code_required
    def apply_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        if not may_change_users(request):
            raise PermissionDenied
        if not campaign.is_draft:
            return redirect(self.change_url(campaign))
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                services.apply(campaign, actor=request.user, request=request)
            except services.CampaignError:
                messages.error(request, _("The campaign is no longer a draft."))
            else:
                tasks.launch(campaign)
                messages.success(request, _("The campaign is applied; its run has started."))
            return redirect(self.change_url(campaign) + "#progress")
        return self._page(request, campaign, "admin_apply.html", _("Apply the campaign"),
                          preview=services.preview(campaign),
                          includes_self=campaign.targets.filter(user_id=request.user.pk).exists())

    def run_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        if request.method != "POST" or not may_change_users(request):
            raise PermissionDenied
        running = campaign.run_state == RunState.RUNNING and not services.run_is_stale(campaign)
        if campaign.state != CampaignState.APPLIED or running:
            messages.error(request, _("The campaign is not applied, or its run is still going."))
        else:
            record(EventKind.CAMPAIGN, request=request, campaign=campaign, reason=campaign.audit_reason(),
                   step="run_requested")
            tasks.launch(campaign)
            messages.success(request, _("The run has started."))
        return redirect(self.change_url(campaign) + "#progress")

    @fresh_code_required
    def close_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        if campaign.state == CampaignState.CLOSED:
            return redirect(self.change_url(campaign))
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            services.close(campaign, actor=request.user, request=request)
            messages.success(request, _("The campaign is closed; its record is kept."))
            return redirect(self.change_url(campaign))
        return self._page(request, campaign, "admin_close.html", _("Close the campaign"))

    @not_activity  # polled by the open page: not the user's activity
    def progress_view(self, request, object_id):
        campaign = self._campaign(request, object_id, change=False)
        return JsonResponse(services.progress(campaign))

    def export_view(self, request, object_id):
        campaign = self._campaign(request, object_id, change=False)
        writer = csv.writer(_Echo())

        failed_only = request.GET.get("failed") == "1"  # the addresses whose mail failed for good
        columns, source = ((services.FAILED_MAIL_COLUMNS, services.failed_mail_rows) if failed_only
                           else (services.EXPORT_COLUMNS, services.export_rows))

        def rows():
            yield "\ufeff"  # so spreadsheet programs read UTF-8
            yield writer.writerow(columns)
            for row in source(campaign):
                yield writer.writerow([spreadsheet_safe(value) for value in row])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        name = f"campaign-{campaign.pk}-{'failed-mails-' if failed_only else ''}{stamp}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def mail_preview_view(self, request, object_id):
        campaign = self._campaign(request, object_id, change=False)
        previews = []
        for language, label in (("en", _("English")), ("ja", _("Japanese"))):
            subject, text, html = mailing.preview(campaign, request.user, language)
            previews.append({"language": language, "label": label, "subject": subject, "text": text, "html": html})
        return self._page(request, campaign, "admin_mail_preview.html", _("Mail preview"), previews=previews)


def phase_rows(figures):
    """The three phases in their order, with what each does, for the campaign page."""
    texts = {
        phases.CONTAIN: (pgettext("campaign phase", "Contain"),
                         _("Resets required; sessions, API tokens and remembered browsers ended.")),
        phases.MAIL: (pgettext("campaign phase", "Mail"), _("Reset mails, from the first contained batch on.")),
        phases.WRAP: (pgettext("campaign phase", "Wrap"), _("Former legacy hashes wrapped in argon2id.")),
    }
    return [{"name": name, "number": number, "label": texts[name][0], "why": texts[name][1], "figures": figures[name]}
            for number, name in enumerate(phases.PHASES, start=1)]


@user_admin_mixin
class CampaignUserAdminMixin:
    """The user changelist action "Add to a breach campaign" (a draft campaign is chosen on the next page)."""

    def security_actions(self, request):
        names = super().security_actions(request)
        if request.user.has_perm("secure_shopadmin.change_campaign"):
            names = [*names, "add_to_campaign"]
        return names

    def add_to_campaign(self, request, queryset):
        if not request.user.has_perm("secure_shopadmin.change_campaign"):
            raise PermissionDenied
        form = ChooseCampaignForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            campaign = form.cleaned_data["campaign"]
            try:
                source = targets.add_selection(campaign, queryset, actor=request.user, request=request)
            except targets.NotDraft:
                raise Http404 from None
            self.message_user(request, _("%(added)d users added to %(campaign)s (%(matched)d selected).") % {
                "added": source.added, "campaign": campaign, "matched": source.matched}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request), "title": _("Add to a breach campaign"),
            "opts": self.model._meta, "form": form, "total": queryset.count(),
            "select_across": request.POST.get("select_across") == "1",
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "new_campaign_url": reverse(f"{self.admin_site.name}:secure_shopadmin_campaign_add"),
        }
        return TemplateResponse(request, "secure_shopadmin/campaigns/admin_add_selection.html", context)

    add_to_campaign.short_description = gettext_lazy("Add to a breach campaign")
