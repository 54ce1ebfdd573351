"""Security notifications: the one way the app tells a user (or the security contacts) by mail.

Every notice — the unfamiliar-environment alert, "this wasn't me", a changed password — is a
template trio under ``secure_shopadmin/mail/`` rendered by :mod:`secure_shopadmin.core.mail` in the
reader's language, and leaves only after the surrounding transaction commits; a failing mail
server is logged, never turned into an error of the login or the change that caused it.
"""

import logging
from functools import partial

from django.db import transaction

from ..core import mail

logger = logging.getLogger(__name__)

#: set this attribute (to any true value) on a user before saving a new password to suppress the
#: generic "password changed" notice, when the caller sends its own
SKIP_PASSWORD_NOTICE_ATTR = "_secure_shopadmin_skip_password_notice"


def _send(func, *args, **kwargs):
    try:
        func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a notice must never break what it reports on
        logger.exception("security notice %r could not be sent", args[1] if len(args) > 1 else args)


def to_user(user, name, context=None, to=None):
    """Mail ``name`` to ``user`` (or to ``to``, e.g. a former address) once the transaction commits."""
    transaction.on_commit(partial(_send, mail.send_to_user, user, name, context, to=to))


def to_security_contacts(name, context=None):
    """Mail ``name`` to ``SECURITY_CONTACTS`` (in ``LANGUAGE_CODE``) once the transaction commits."""
    transaction.on_commit(partial(_send, mail.send_to_security_contacts, name, context))


def password_changed(user):
    to_user(user, "password_changed")


def is_deliberate_password_change(sender, instance, created, update_fields, raw):
    """Whether this ``post_save`` of a user stores a password someone chose.

    ``AbstractBaseUser.set_password()`` keeps the raw password in ``_password`` until the next
    ``save()``; Django's hash-upgrade setter (``check_password``, also used by the hashers stage's
    upgrade) clears it before saving, ``set_unusable_password()`` never sets it, and the legacy wrap
    and forced resets write with ``QuerySet.update()`` (no signal). So ``_password`` set on an
    existing user means a deliberate change; a new user's first password is not a change.
    """
    if raw or created or getattr(instance, "_password", None) is None:
        return False
    if update_fields is not None and "password" not in update_fields:
        return False
    return not getattr(instance, SKIP_PASSWORD_NOTICE_ATTR, False)
