"""Enrolment and break-glass links: single use, expiring, stored only as a digest."""

from datetime import timedelta

from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import tokens
from ..core.links import absolute_url
from ..core.mail import send_to_user
from .models import EnrolmentLink

PURPOSE = "enrolment"
#: what became of a link's mail: the page and the commands say it as it is
SENT, FAILED, RECENT = "sent", "failed", "recent"


def issue(user, *, purpose=EnrolmentLink.Purpose.ENROL, issued_by=None, request=None, reason=""):
    """A new link for ``user``; returns its URL (the token exists only in it)."""
    return issue_link(user, purpose=purpose, issued_by=issued_by, request=request, reason=reason)[1]


def issue_link(user, *, purpose=EnrolmentLink.Purpose.ENROL, issued_by=None, request=None, reason=""):
    """A new link for ``user``: (its row, its URL)."""
    token, digest = tokens.new_token(PURPOSE)
    url = absolute_url(request, "secure_shopadmin:twofactor_link", token)  # fails before any row is written
    link = EnrolmentLink.objects.create(
        user=user, token_digest=digest, purpose=purpose, issued_by=issued_by,
        expires_at=timezone.now() + timedelta(seconds=app_settings.ENROLMENT_LINK_TTL),
    )
    record(EventKind.ENROLMENT_LINK, request=request, actor=issued_by, target=user, reason=reason,
           purpose=purpose)
    return link, url


def mail(user, url, request=None, link=None):
    """Mail the link ``url`` to ``user``; SENT, or FAILED (no address, or the mail server failed: logged).

    ``link``, the URL's row, then notes when its mail left: a link whose mail failed never counts as sent.
    """
    sent = send_to_user(user, "enrolment_link", {"url": url,
                                                 "valid_hours": app_settings.ENROLMENT_LINK_TTL // 3600})
    if not sent:
        return FAILED
    if link is not None:
        EnrolmentLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    return SENT


def mail_after_password(request, user):
    """The password step of a user who must enrol: mail a link unless one was mailed moments ago.

    Returns SENT, FAILED, or RECENT (a link's mail left less than ``ENROLMENT_LINK_RESEND_AFTER`` ago).
    """
    recent = timezone.now() - timedelta(seconds=app_settings.ENROLMENT_LINK_RESEND_AFTER)
    if EnrolmentLink.objects.filter(user=user, purpose=EnrolmentLink.Purpose.ENROL, used_at__isnull=True,
                                    mailed_at__gt=recent).exists():
        return RECENT
    link, url = issue_link(user, request=request, reason="password login without a device")
    return mail(user, url, request, link)


def find_usable(token):
    """The unused, unexpired link for ``token``, or None (it is not spent)."""
    return EnrolmentLink.objects.filter(
        token_digest=tokens.token_digest(token, PURPOSE), used_at__isnull=True, expires_at__gt=timezone.now(),
    ).select_related("user").first()


def spend(link):
    """Mark ``link`` used; False if another request spent it first."""
    return EnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1
