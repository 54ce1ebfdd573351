"""The campaign's own reset mail: an editable subject and body per language, with the reset link.

The mail is an :class:`~secure_shopadmin.resets.models.OutgoingMail` of template
``campaign_reset_link`` whose JSON context names the requirement, the campaign and the link's
base URL — no secret. At send time the preparer below makes the link token through the reset
link's own preparer (only its digest is stored, on the requirement) and renders the campaign's
texts around it.

Texts are plain text with placeholders: ``{link}`` (required), ``{username}``, ``{shop_name}``,
``{expires}``. No template language: an operator's text cannot reach anything else.
"""

import re

from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import mail as mail_module
from ..resets import outbox
from ..resets import services as reset_services

TEMPLATE = "campaign_reset_link"
LANGUAGES = ("en", "ja")
PLACEHOLDERS = ("link", "username", "shop_name", "expires")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def default_texts(language):
    """(subject, body) the campaign's mail starts with in ``language``."""
    with translation.override(language):
        subject = _("[{shop_name}] Your password has been switched off: please choose a new one")
        body = _(
            "Hello {username},\n\n"
            "We have learned that account data of our shop was exposed, possibly including your password in a "
            "protected (hashed) form. To keep your account safe we have switched your password off and ended "
            "every session of your account.\n\n"
            "Please open this link and choose a new password (it works once, until {expires}):\n\n"
            "{link}\n\n"
            "Do not reuse your former password, here or anywhere else; if you used it on other sites, change it "
            "there too. We will never ask you for your password by mail."
        )
    return str(subject), str(body)


def fill_defaults(campaign):
    """Give an empty subject or body of each language its default text."""
    for language in LANGUAGES:
        subject, body = default_texts(language)
        if not getattr(campaign, f"mail_subject_{language}"):
            setattr(campaign, f"mail_subject_{language}", subject)
        if not getattr(campaign, f"mail_body_{language}"):
            setattr(campaign, f"mail_body_{language}", body)


def unknown_placeholders(text):
    return sorted({name for name in PLACEHOLDER_RE.findall(text) if name not in PLACEHOLDERS})


def language_of(user):
    return "ja" if str(mail_module.user_language(user)).lower().startswith("ja") else "en"


def texts_for(campaign, language):
    subject = getattr(campaign, f"mail_subject_{language}") or campaign.mail_subject_en
    body = getattr(campaign, f"mail_body_{language}") or campaign.mail_body_en
    return subject, body


def substitute(text, values):
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def body_html(text, values):
    """The body as HTML: every part escaped, ``{link}`` a link, blank lines paragraphs."""
    def part(match):
        name = match.group(1)
        if name == "link" and "link" in values:
            url = escape(values["link"])
            return f'<a href="{url}">{url}</a>'
        return escape(values[name]) if name in values else escape(match.group(0))

    pieces = PLACEHOLDER_RE.split(text)
    html = "".join(escape(piece) if i % 2 == 0 else part(PLACEHOLDER_RE.match("{" + piece + "}"))
                   for i, piece in enumerate(pieces))
    paragraphs = [p.strip("\n").replace("\n", "<br>") for p in re.split(r"\n\s*\n", html) if p.strip()]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S308  (escaped above)


def context_for(campaign, user, link, expires_at, language=None):
    """Extra template context of the campaign mail: subject, text body and HTML body."""
    language = language or language_of(user)
    with translation.override(language):
        expires = formats.date_format(expires_at, "DATETIME_FORMAT") if expires_at else ""
    values = {"link": link, "username": user.get_username(), "shop_name": mail_module.shop_name(),
              "expires": expires}
    subject, body = texts_for(campaign, language)
    return {
        "campaign_subject": " ".join(substitute(subject, values).split()),
        "campaign_body_text": substitute(body, values),
        "campaign_body_html": body_html(body, values),
        "campaign_language": language,
    }


def preview(campaign, user, language):
    """(subject, text, html) of the campaign's mail to ``user`` in ``language``, with a sample link."""
    from datetime import timedelta

    from django.utils import timezone

    from ..conf import app_settings

    link = reset_services.absolute_url(campaign.base_url, "/security/reset/link/EXAMPLE-TOKEN/")
    expires_at = timezone.now() + timedelta(seconds=app_settings.RESET_LINK_TTL)
    context = {"user": user, "needs_enrolment": False,
               **context_for(campaign, user, link, expires_at, language)}
    return mail_module.render_mail(TEMPLATE, context, language)


def mail_row(campaign, target):
    from ..resets.models import OutgoingMail

    return OutgoingMail(
        user_id=target.user_id, template=TEMPLATE, dedupe_key=f"campaign:{campaign.pk}:{target.user_id}",
        context={"campaign": campaign.pk, "requirement": target.requirement_id, "base_url": campaign.base_url,
                 "needs_enrolment": target.needs_enrolment},
    )


@outbox.preparer(TEMPLATE)
def _prepare(mail):
    """The reset link's token is made now (by the reset mail's preparer); then the campaign's texts."""
    from .models import Campaign

    campaign = Campaign.objects.filter(pk=mail.context.get("campaign")).first()
    if campaign is None:
        raise outbox.Skip("campaign deleted")
    link_context = outbox.PREPARERS[reset_services.LINK_MAIL](mail)
    return {**link_context,
            **context_for(campaign, mail.user, link_context["link"], link_context["expires_at"])}
