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


def issue(user, *, purpose=EnrolmentLink.Purpose.ENROL, issued_by=None, request=None, reason=""):
    """A new link for ``user``; returns its URL (the token exists only in it)."""
    token, digest = tokens.new_token(PURPOSE)
    EnrolmentLink.objects.create(
        user=user, token_digest=digest, purpose=purpose, issued_by=issued_by,
        expires_at=timezone.now() + timedelta(seconds=app_settings.ENROLMENT_LINK_TTL),
    )
    record(EventKind.ENROLMENT_LINK, request=request, actor=issued_by, target=user, reason=reason,
           purpose=purpose)
    return absolute_url(request, "secure_shopadmin:twofactor_link", token)


def mail(user, url, request=None):
    return send_to_user(user, "enrolment_link", {"url": url,
                                                 "valid_hours": app_settings.ENROLMENT_LINK_TTL // 3600})


def mail_after_password(request, user):
    """The password step of a user who must enrol: mail a link unless one went out moments ago."""
    recent = timezone.now() - timedelta(seconds=app_settings.ENROLMENT_LINK_RESEND_AFTER)
    if EnrolmentLink.objects.filter(user=user, purpose=EnrolmentLink.Purpose.ENROL, used_at__isnull=True,
                                    created_at__gt=recent).exists():
        return False
    mail(user, issue(user, request=request, reason="password login without a device"), request)
    return True


def find_usable(token):
    """The unused, unexpired link for ``token``, or None (it is not spent)."""
    return EnrolmentLink.objects.filter(
        token_digest=tokens.token_digest(token, PURPOSE), used_at__isnull=True, expires_at__gt=timezone.now(),
    ).select_related("user").first()


def spend(link):
    """Mark ``link`` used; False if another request spent it first."""
    return EnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1
