"""Mails to users and to the security contacts, each in its reader's language (text and HTML).

A mail is three templates under ``secure_shopadmin/mail/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``; override any of them in your project's templates.
"""

import logging

from django.conf import settings
from django.contrib import admin
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from ..conf import app_settings
from . import languages

logger = logging.getLogger(__name__)


def default_user_language(user):
    """``USER_LANGUAGE``'s default: the user model's ``language`` attribute if it has one, else the
    language of the user's last login (remembered where ``LocaleMiddleware`` is on), else ``LANGUAGE_CODE``."""
    return getattr(user, "language", None) or languages.remembered(user) or settings.LANGUAGE_CODE


def user_language(user):
    return import_string(app_settings.USER_LANGUAGE)(user)


def shop_name():
    return app_settings.SHOP_NAME or str(admin.site.site_header)


def render_mail(name, context, language):
    """Render ``name`` in ``language``: (subject, text body, HTML body)."""
    with translation.override(language):
        context = {"shop_name": shop_name(), "LANGUAGE_CODE": translation.get_language(), **context}
        subject = " ".join(render_to_string(f"secure_shopadmin/mail/{name}_subject.txt", context).split())
        context["mail_subject"] = subject  # the HTML part's <title>
        text = render_to_string(f"secure_shopadmin/mail/{name}.txt", context)
        html = render_to_string(f"secure_shopadmin/mail/{name}.html", context)
    return subject, text, html


def build_mail(name, context, to, language):
    return message(*render_mail(name, context, language), to)


def message(subject, text, html, to):
    """A mail of a text and an HTML alternative, from ``DEFAULT_FROM_EMAIL``."""
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    mail.attach_alternative(html, "text/html")
    return mail


def send_to_user(user, name, context=None, to=None):
    """Send mail ``name`` to ``user`` (or ``to``) in the user's language; returns the number sent.

    A mail server that fails is logged, not raised: a notice must never break the request that
    caused it; a caller that tells the user the mail left checks the count (0: no address, or the
    mail server failed). Mails whose delivery must be tracked go through the resets outbox.
    """
    address = to or user.email
    if not address:
        logger.warning("The %s mail to user %s was not sent: the user has no e-mail address.", name, user.pk)
        return 0
    context = {"user": user, **(context or {})}
    return _send(build_mail(name, context, [address], user_language(user)), name, user)


def send_to_security_contacts(name, context=None):
    contacts = list(app_settings.SECURITY_CONTACTS)
    if not contacts:
        return 0
    return _send(build_mail(name, context or {}, contacts, settings.LANGUAGE_CODE), name)


#: mail backends that print each mail in the server's terminal
CONSOLE_BACKENDS = ("django.core.mail.backends.console.EmailBackend", "secure_shopadmin.core.console_mail.EmailBackend")


def printed_to_console():
    """Whether mails are printed in the server's terminal: ``DEBUG`` with a console backend.

    Pages then tell the developer where the mail (and its link) went.
    """
    if not settings.DEBUG:
        return False
    mailers = getattr(settings, "MAILERS", None)  # Django 6.1+
    backend = (mailers or {}).get("default", {}).get("BACKEND") if mailers else settings.EMAIL_BACKEND
    return backend in CONSOLE_BACKENDS


def connection():
    """A connection of the default mailer, for many messages: ``with mail.connection() as c: c.send_messages(…)``.

    Django 6.1's ``mailers.default`` where it exists, ``get_connection()`` before.
    """
    try:
        from django.core.mail import mailers  # Django 6.1+; older ones fall back below
    except ImportError:
        from django.core.mail import get_connection

        return get_connection()
    return mailers.default


def _send(message, name, user=None):
    try:
        return message.send()
    except Exception:  # noqa: BLE001  (any backend error)
        whom = f"user {user.pk}" if user is not None else f"{len(message.to)} security contact(s)"
        logger.exception("Could not send the %s mail to %s.", name, whom)
        return 0
