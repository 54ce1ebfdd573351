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
from datetime import timedelta

from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import app_settings
from ..core import mail as mail_module
from ..core.links import url_from
from ..resets import outbox
from ..resets import services as reset_services
from ..resets.models import OutgoingMail
from .models import Campaign

TEMPLATE = "campaign_reset_link"
LANGUAGES = ("en", "ja")
#: the placeholders a campaign's texts may use, and what each stands for (listed on its admin page)
PLACEHOLDER_MEANINGS = {
    "link": gettext_lazy("the user's own reset link (the body must contain it)"),
    "username": gettext_lazy("the user's username"),
    "shop_name": gettext_lazy("the shop's name"),
    "expires": gettext_lazy("when the link stops working (date and time)"),
}
PLACEHOLDERS = tuple(PLACEHOLDER_MEANINGS)
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


def texts(campaign, language, values):
    """The campaign's subject, text body and HTML body in ``language`` with ``values`` filled in."""
    subject, body = texts_for(campaign, language)
    return {
        "campaign_subject": " ".join(substitute(subject, values).split()),
        "campaign_body_text": substitute(body, values),
        "campaign_body_html": body_html(body, values),
        "campaign_language": language,
    }


def expires_text(expires_at, language):
    """The link's expiry as the reader's locale writes it, in the shop's time zone (as the reset mail's)."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(expires_at), "DATETIME_FORMAT") if expires_at else ""


class Recipient:
    """What the campaign mail's templates see of their reader: ``username`` and ``is_staff``, no other field.

    The mail is rendered once for many readers (see :class:`Renderer`): a template that read any
    other field of the user would show one reader's data to all, so every other attribute is "".
    """

    def __init__(self, username, is_staff):
        self.username, self.is_staff = username, bool(is_staff)

    def get_username(self):
        return self.username

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return ""

    def __str__(self):
        return self.username


MARK = "\ue000{}\ue001"  # private-use characters: survive escaping, absent from the templates
MARK_RE = re.compile("\ue000(link|username)\ue001")


class Renderer:
    """The campaign's mail for one batch of readers whose links expire at ``expires_at``.

    The templates are rendered once per language and kind of reader (staff or not, enrolment
    needed or not) with markers for the link and the username; each mail is that text with the
    markers replaced (HTML-escaped in the HTML part). A hundred thousand mails cost a few hundred
    renderings.
    """

    def __init__(self, campaign, expires_at, language=None):
        self.campaign, self.expires_at, self.language = campaign, expires_at, language
        self._rendered = {}

    def render(self, user, link, needs_enrolment=False):
        """(subject, text, html) of the mail to ``user`` with ``link``."""
        language = self.language or language_of(user)
        key = (language, bool(needs_enrolment), bool(user.is_staff))
        if key not in self._rendered:
            self._rendered[key] = self._render(*key)
        subject, text, html = self._rendered[key]
        values = {"link": link, "username": user.get_username()}
        raw = lambda m: values[m.group(1)]  # noqa: E731
        escaped = lambda m: escape(values[m.group(1)])  # noqa: E731
        subject = " ".join(MARK_RE.sub(raw, subject).split())
        return subject, MARK_RE.sub(raw, text), MARK_RE.sub(escaped, html)

    def message(self, user, link, needs_enrolment=False):
        return mail_module.message(*self.render(user, link, needs_enrolment), [user.email])

    def _render(self, language, needs_enrolment, is_staff):
        context = reader_context(self.campaign, language, MARK.format("link"), MARK.format("username"), is_staff,
                                 self.expires_at)
        return mail_module.render_mail(TEMPLATE, {**context, "needs_enrolment": needs_enrolment}, language)


def reader_context(campaign, language, link, username, is_staff, expires_at):
    """The campaign mail's template context for one reader (or for markers in their place)."""
    values = {"link": link, "username": username, "shop_name": mail_module.shop_name(),
              "expires": expires_text(expires_at, language)}
    return {"user": Recipient(username, is_staff), "link": link, "expires_at": expires_at, "campaign": campaign.pk,
            **texts(campaign, language, values)}


def preview(campaign, user, language):
    """(subject, text, html) of the campaign's mail to ``user`` in ``language``, with a sample link."""
    link = url_from(campaign.base_url, "/security/reset/link/EXAMPLE-TOKEN/")
    expires_at = timezone.now() + timedelta(seconds=app_settings.RESET_LINK_TTL)
    return Renderer(campaign, expires_at, language).render(user, link)


def mail_row(campaign, user_id, requirement_id, needs_enrolment):
    """The queued campaign mail of one user (unsaved); its context holds no secret."""
    return OutgoingMail(
        user_id=user_id, template=TEMPLATE, dedupe_key=f"campaign:{campaign.pk}:{user_id}",
        context={"campaign": campaign.pk, "requirement": requirement_id, "base_url": campaign.base_url,
                 "needs_enrolment": needs_enrolment},
    )


@outbox.preparer(TEMPLATE)
def _prepare(mail):
    """The reset link's token is made now (by the reset mail's preparer); then the campaign's texts."""
    campaign = Campaign.objects.filter(pk=mail.context.get("campaign")).first()
    if campaign is None:
        raise outbox.Skip("campaign deleted")
    link_context = outbox.PREPARERS[reset_services.LINK_MAIL](mail)
    language = language_of(mail.user)
    return {**link_context, **reader_context(campaign, language, link_context["link"], mail.user.get_username(),
                                             mail.user.is_staff, link_context["expires_at"])}
