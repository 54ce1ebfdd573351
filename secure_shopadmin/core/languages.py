"""Each user's language: remembered from the language of their last login, so that mails sent
outside a request (commands, campaigns) are in it; offered as Django's ``set_language`` switch on
the app's pages where ``LocaleMiddleware`` is on."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Subquery
from django.utils import translation

from . import preload
from .models import MailLanguage
from .upserts import upsert

LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
UNKNOWN = object()

preload.declare("mail_language", lambda: Subquery(
    MailLanguage.objects.filter(user=OuterRef("pk")).values("language")[:1]))


def switch_offered():
    """Whether pages offer the language switch: ``LocaleMiddleware`` on and more than one language."""
    return bool(settings.USE_I18N and LOCALE_MIDDLEWARE in settings.MIDDLEWARE and len(settings.LANGUAGES) > 1)


def supported(code):
    """``code`` as one of ``settings.LANGUAGES`` (``ja-jp`` -> ``ja``), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def request_language(request):
    """The language ``LocaleMiddleware`` chose for ``request``, or None when it is off."""
    return supported(getattr(request, "LANGUAGE_CODE", None)) if LOCALE_MIDDLEWARE in settings.MIDDLEWARE else None


def remember(user, language):
    """Keep ``language`` as ``user``'s mail language (one upsert). No write when the facts the pipeline
    read with the user show it unchanged, or show no row and ``language`` is the site's default (which
    a user without a row gets)."""
    language = supported(language)
    if language is None or getattr(user, "pk", None) is None:
        return
    known = preload.fact(user, "mail_language", lambda: UNKNOWN)
    if known == language or (known is None and language == supported(settings.LANGUAGE_CODE)):
        return
    upsert(MailLanguage(user_id=user.pk, language=language), ("user",), ("language", "updated_at"))


def remembered(user):
    """The user's remembered mail language, or None (never logged in with ``LocaleMiddleware`` on)."""
    if getattr(user, "pk", None) is None:
        return None
    try:
        return user.ssa_mail_language.language or None
    except (ObjectDoesNotExist, AttributeError):
        return None
