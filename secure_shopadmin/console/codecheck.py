"""The one place a re-authentication proof is checked, always through the guard's budgets.

A user with a confirmed device gives a passkey's signature or a TOTP or recovery code, checked by
the pipeline's one check (:func:`secure_shopadmin.pipeline.check_code`): the guard's code budget
per (account, client IP) is reserved before it is checked and settled after, exactly as on the
login's verify page (a user under ``REQUIRE_PHISHING_RESISTANT`` must use the passkey). A user
without one (nobody under the second-factor policy) gives the password, through the guard's
password slot, so no hash is computed for a locked client.
"""

import time
from dataclasses import dataclass

from django.contrib.auth import authenticate

from .. import pipeline
from ..core.steps import Channel
from ..lockout import stage as guard_stage
from ..twofactor import services as twofactor_services

OK = "ok"
FAILED = "failed"
REFUSED = "refused"
PASSKEY_REQUIRED = "passkey_required"  # a code given where only a passkey passes: nothing checked


@dataclass
class Outcome:
    status: str
    method: str = ""
    retry_after: int = 0

    @property
    def ok(self):
        return self.status == OK


def proof_kind(user):
    """What the re-authentication page asks ``user`` for: ``"code"`` or ``"password"``."""
    return "code" if twofactor_services.has_device(user) else "password"


def check(request, user, data):
    """Check the proof in ``data`` (``passkey_answer``, ``otp_token`` or ``password``) for ``user``;
    an :class:`Outcome`."""
    if proof_kind(user) == "code":
        return _check_code(request, user, data.get("otp_token", ""), data.get("passkey_answer", ""))
    return _check_password(request, user, data.get("password", ""))


def _check_code(request, user, token, passkey_answer=""):
    # the guard's code budget, then the passkey's answer or the code
    result = pipeline.check_code(request, user, token, passkey_answer=passkey_answer)
    if result.refused:
        return Outcome(REFUSED, retry_after=result.retry_after)
    if result.method is None:
        status = REFUSED if result.retry_after else PASSKEY_REQUIRED if result.passkey_required else FAILED
        return Outcome(status, method="passkey" if passkey_answer else "", retry_after=result.retry_after)
    return Outcome(OK, method=result.method)


def _check_password(request, user, password):
    username = user.get_username()
    retry_after = guard_stage.refusal(request, username, Channel.CONSOLE)
    if retry_after:
        return Outcome(REFUSED, retry_after=retry_after)
    checked = authenticate(request, username=username, password=password) if password else None
    if checked is None or checked.pk != user.pk:
        locked_for = guard_stage.password_failed(request, username, Channel.CONSOLE, checked)
        return Outcome(REFUSED if locked_for else FAILED, retry_after=locked_for)
    return Outcome(OK, method="password")


def now():
    return int(time.time())
