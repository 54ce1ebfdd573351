from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import mailing
from .models import Campaign, CampaignState, SourceKind

#: an uploaded list larger than this is refused (about a million lines of addresses)
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "reason", "wrap_hashes", "send_mails", "base_url",
                  "mail_subject_en", "mail_body_en", "mail_subject_ja", "mail_body_ja"]

    def clean(self):
        data = super().clean()
        texts = {name: data.get(name) or "" for name in self.Meta.fields if name.startswith("mail_")}
        for language in mailing.LANGUAGES:
            for name in (f"mail_subject_{language}", f"mail_body_{language}"):
                unknown = mailing.unknown_placeholders(texts[name])
                if unknown:
                    self.add_error(name, _("Unknown placeholders: %(names)s. Known: %(known)s.") % {
                        "names": ", ".join(f"{{{n}}}" for n in unknown),
                        "known": ", ".join(f"{{{n}}}" for n in mailing.PLACEHOLDERS)})
            body = texts[f"mail_body_{language}"]
            if body and "{link}" not in body:
                self.add_error(f"mail_body_{language}", _("The body must contain {link}: the reset link."))
        return data


class AddTargetsForm(forms.Form):
    SOURCES = [(kind, label) for kind, label in SourceKind.choices if kind != SourceKind.SELECTION]

    kind = forms.ChoiceField(label=_("Add"), choices=SOURCES, widget=forms.RadioSelect,
                             initial=SourceKind.UPLOAD)
    file = forms.FileField(label=_("File"), required=False, help_text=_(
        "Text or CSV file, one username or e-mail address a line (UTF-8); blank lines and # comments are skipped."))
    text = forms.CharField(label=_("Or paste the lines"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    since = forms.DateField(label=_("Not logged in since"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == SourceKind.UPLOAD:
            upload = data.get("file")
            if upload is None and not (data.get("text") or "").strip():
                raise ValidationError(_("Choose a file or paste the lines."))
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is too large."))
        if kind == SourceKind.INACTIVE and not data.get("since"):
            self.add_error("since", _("Give the date."))
        return data

    def raw_lines(self):
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload, upload.name
        text = self.cleaned_data.get("text") or ""
        return [line.encode("utf-8") for line in text.splitlines()], ""


class ChooseCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Draft campaign"),
                                      queryset=Campaign.objects.filter(state=CampaignState.DRAFT))
