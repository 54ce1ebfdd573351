"""The one place a re-authentication proof is checked, always through the guard's budgets.

A user with a confirmed authenticator gives a TOTP or recovery code, checked by the pipeline's
one code check (:func:`secure_shopadmin.pipeline.check_code`): the guard's code budget per
(account, client IP) is reserved before the code is checked and settled after, exactly as on the
login's verify page. A user without one (nobody under the second-factor policy) gives the
password, through the guard's password slot, so no hash is computed for a locked client.
Passkeys are offered when the app has a passkey device model; this version has none.
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
    """Check the proof in ``data`` (``otp_token`` or ``password``) for ``user``; an :class:`Outcome`."""
    if proof_kind(user) == "code":
        return _check_code(request, user, data.get("otp_token", ""))
    return _check_password(request, user, data.get("password", ""))


def _check_code(request, user, token):
    result = pipeline.check_code(request, user, token)  # the guard's code budget, then the code
    if result.refused:
        return Outcome(REFUSED, retry_after=result.retry_after)
    if result.method is None:
        return Outcome(REFUSED if result.retry_after else FAILED, retry_after=result.retry_after)
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
