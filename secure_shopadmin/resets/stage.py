"""The required actions' part in the pipeline (stage 4): a pending forced password reset."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext

from ..core import preload
from ..core.links import base_url
from ..core.sensitive import secret_variables
from ..core.steps import Step
from . import services, validators
from .models import ResetCategory, ResetMode, ResetRequirement

API_CODE = "password_reset_required"
SET_PASSWORD_URL_NAMES = ("secure_shopadmin:reset_password",)
LINK_NEEDED_URL_NAMES = ("secure_shopadmin:reset_link_needed", "secure_shopadmin:reset_resend")

preload.declare("reset_pending", lambda: Exists(ResetRequirement.objects.pending().filter(user=OuterRef("pk"))))


def pending_step(request, user, partial):
    """The required-action step this login still needs, or None.

    A ``compromised`` requirement is refused unless this partial login began with its mailed link
    (a password login cannot happen, the password being unusable; this is the second lock):
    the user is sent to a page that explains where the link is, never to the new-password form.
    A sign-in passkey typed no password: it goes to the new-password form, which then also offers
    to remove the password.
    """
    if not preload.fact(user, "reset_pending", lambda: True):
        return None  # the facts read with the user say none: no query
    requirement = services.pending_requirement(user)
    if requirement is None:
        return None
    if requirement.mode == ResetMode.COMPROMISED and not services.may_complete(requirement, partial):
        return Step("reset", reverse(LINK_NEEDED_URL_NAMES[0]), LINK_NEEDED_URL_NAMES, api_code=API_CODE)
    return Step("reset", reverse(SET_PASSWORD_URL_NAMES[0]), SET_PASSWORD_URL_NAMES, api_code=API_CODE)


@secret_variables
def password_is_breached(password):
    """Whether the password that was just accepted is in the breached-password lists."""
    return validators.is_breached(password or "")


def require_compromised_reset(request, user):
    """Evidence of compromise (NIST SP 800-63B-4 3.1.1.2): the password stops working now and a reset
    link is mailed; the login meets the "check your mail" step."""
    services.require_reset(
        [user.pk], mode=ResetMode.COMPROMISED, category=ResetCategory.BREACH,
        reason=gettext("The password is in the breached-password lists"), request=request, notify=True,
        base_url=base_url(request))
    preload.forget(user, "reset_pending")
    transaction.on_commit(lambda: services.send_reset_mail_now(user))
