"""The login pipeline: every login, console or storefront, goes through these stages, in this order.

1. guard (``lockout``): refuse a locked or throttled client before any hash is computed;
2. password (``hashers``): ``authenticate()`` checks and upgrades the stored hash;
3. second factor (``twofactor``): a passkey, TOTP, recovery code or a remembered browser;
   a sign-in passkey (:func:`login_with_passkey`) is the password and the second factor at once;
4. required actions (``resets``): a pending forced password reset;
5. session and environment (``alerts``): only now is the user logged in;
6. audit (``audit``): the login is written where it matters.

Between the password and the end, the session holds a *partial login*
(:class:`~secure_shopadmin.core.partial.PartialLogin`): it is not a login, it expires, and the
enforcement middleware lets it reach only the pending step's pages. A step view hands over by
calling :func:`step_done`, which runs the rest of the pipeline. A finished login leaves the
*marker* (``MARKER_KEY``) in the session, from which the middleware decides every later request
without a database query.

The stages never call one another: what one needs of another goes through here (a code is
checked by :func:`check_code`, which asks the guard for a slot first) or through the signals
that :mod:`secure_shopadmin.coordination` subscribes to.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.db import transaction

from . import signals
from .alerts import stage as session_stage
from .audit import stage as audit_stage
from .core import partial as partials
from .core import preload, sessions
from .core.partial import (
    MARKER_KEY,
    MARKER_VERSION,
    PARTIAL_KEY,
    PartialLogin,
    discard_partial,
    remember_user,
    session_marker,
)
from .core.policy import holds_console_rights
from .core.sensitive import secret_variables
from .core.steps import Channel
from .hashers import stage as password_stage
from .lockout import stage as guard_stage
from .resets import stage as required_actions_stage
from .twofactor import stage as second_factor_stage

__all__ = ["MARKER_KEY", "MARKER_VERSION", "PARTIAL_KEY", "Channel", "CodeCheck", "Outcome", "PartialLogin",
           "advance", "check_code", "discard_partial", "login_with_passkey", "login_with_password", "login_with_proof",
           "session_marker",
           "step_done"]

#: set on a request whose partial login began in it: its session key is cycled once, when a step is
#: pending (a login that finishes in the same request is cycled by Django's ``login()`` alone)
NEW_PARTIAL_ATTR = "_secure_shopadmin_new_partial"


@dataclass
class Outcome:
    """What a login attempt came to. ``status`` is one of the constants below."""

    REFUSED = "refused"  # the guard said no; retry_after seconds
    FAILED = "failed"  # wrong credentials (never says which)
    PENDING = "pending"  # password right; the user must go to redirect_url
    DONE = "done"  # logged in
    EXPIRED = "expired"  # no partial login (any more)

    status: str
    user: object = None
    redirect_url: str = ""
    retry_after: int = 0

    @property
    def ok(self):
        return self.status == self.DONE


@dataclass
class CodeCheck:
    """What :func:`check_code` came to: the method that matched (``"passkey"``, ``"totp"``,
    ``"recovery"``), or None; ``refused`` when the guard refused to check it; ``retry_after`` > 0
    when it refused or when this failure completed a lock; ``passkey_required`` when a typed code
    was given for a user who must sign with a passkey (nothing checked, nothing counted)."""

    method: str = None
    retry_after: int = 0
    refused: bool = False
    passkey_required: bool = False

    @property
    def ok(self):
        return self.method is not None


@secret_variables
def check_code(request, user, code="", *, passkey_answer="", sign_in_passkey=False, risk_binding="",
               login_step=False):
    """The one place a code is checked, a typed code or a passkey's answer: a slot of the
    guard's code budget per (account, client IP) is reserved first, so parallel guesses cannot
    outrun the limit, and a wrong or foreign passkey answer costs a slot like a wrong code.

    With ``risk_binding`` (the risk step's id in the partial login) ``code`` is the risk step's
    e-mailed code, checked by stage 5 in the same budget; it is never a second factor.
    ``sign_in_passkey``: only one of the user's sign-in passkeys, user-verified, passes.
    ``login_step``: the caller runs :func:`step_done` right after a right code; the slot then stays
    taken until the finished login clears the code counters (or the request ends): one write less.
    """
    if not risk_binding and not passkey_answer and not second_factor_stage.accepts_codes(user):
        return CodeCheck(passkey_required=True)
    slot = guard_stage.otp_reserve(request, user)
    if slot.refused:
        return CodeCheck(retry_after=slot.retry_after, refused=True)
    if risk_binding:
        method = session_stage.RISK_STEP if session_stage.check_risk_code(user, risk_binding, code) else None
    else:
        method = second_factor_stage.check_code(request, user, code, passkey_answer,
                                                  sign_in_passkey=sign_in_passkey)
    if method is None:
        return CodeCheck(retry_after=guard_stage.otp_failed(request, slot, user))  # a lock is audited, mailed
    if not login_step:
        guard_stage.otp_succeeded(request, slot)
    return CodeCheck(method=method)


@secret_variables
def login_with_password(request, username, password, *, channel, next_url=""):
    """Run the whole pipeline for a username and password; returns an :class:`Outcome`."""
    discard_partial(request)
    # 1. guard
    retry_after = guard_stage.refusal(request, username, channel)
    if retry_after:
        signals.login_failed.send(sender=Outcome, request=request, username=username,
                                  channel=channel, refused=True)
        return Outcome(Outcome.REFUSED, retry_after=retry_after)
    # 2. password
    checking = password_stage.started()
    user = authenticate(request, username=username, password=password)
    if user is None or not channel_admits(channel, user):
        password_stage.failed(checking)  # as long as the slowest stored format's check: no timing oracle
        retry_after = guard_stage.password_failed(request, username, channel, user)
        signals.login_failed.send(sender=Outcome, request=request, username=username,
                                  channel=channel, refused=bool(retry_after))
        if retry_after:
            return Outcome(Outcome.REFUSED, retry_after=retry_after)
        return Outcome(Outcome.FAILED)
    remember_user(request, user)
    partial = PartialLogin(
        user_id=str(user.pk), backend=user.backend, auth_hash=user.get_session_auth_hash(),
        channel=channel, next_url=next_url, started=time.time(), done=["password"],
        facts={partials.CONSOLE_RIGHTS: holds_console_rights(user)},
    )
    # 5. (its first part) the login's risk, right after the password
    if _assess_risk(request, user, password, partial) == session_stage.BLOCK:
        discard_partial(request)
        retry_after = guard_stage.password_failed(request, username, channel, user)
        signals.login_failed.send(sender=Outcome, request=request, username=username,
                                  channel=channel, refused=bool(retry_after))
        return Outcome(Outcome.REFUSED, retry_after=retry_after) if retry_after else Outcome(Outcome.FAILED)
    partial.save(request)
    setattr(request, NEW_PARTIAL_ATTR, True)
    return advance(request)


@secret_variables
def _assess_risk(request, user, password, partial):
    """Stage 5 assesses the login; a breached password always requires a compromised-mode reset
    (stage 4 then holds the login), a blocked one is refused like a wrong password. Returns the action."""
    if not session_stage.risk_enabled():
        return ""
    breached = required_actions_stage.password_is_breached(password)
    found = session_stage.assess_risk(request, user, partial, breached=breached,
                                      prior_failures=guard_stage.prior_failures(request))
    if breached:
        required_actions_stage.require_compromised_reset(request, user)
        user.refresh_from_db(fields=["password"])
        partial.auth_hash = user.get_session_auth_hash()  # the partial login follows the unusable password
    elif found["action"] == session_stage.BLOCK:
        session_stage.blocked(request, user, partial)
    return found["action"]


@secret_variables
def login_with_passkey(request, answer, *, channel, next_url=""):
    """Run the pipeline for a sign-in passkey's answer (no username); returns an :class:`Outcome`.

    The passkey is the password and the second factor at once (user-verified, bound to the shop's
    origin: multi-factor, phishing-resistant), so the pipeline starts at the guard, skips stages 2
    and 3, and goes on from the required actions as any login does.
    """
    discard_partial(request)
    claim = second_factor_stage.passkey_claim(request, answer)  # no signature checked yet
    # 1. guard: a slot for the credential's account (or the unknown credential) and the client IP
    retry_after = guard_stage.refusal(request, claim.account, channel)
    if retry_after:
        signals.login_failed.send(sender=Outcome, request=request, username=claim.account,
                                  channel=channel, refused=True)
        return Outcome(Outcome.REFUSED, retry_after=retry_after)
    # 2. and 3. at once: the passkey's signature, user verification, sign-in credential, counter
    user = second_factor_stage.passkey_sign_in(request, claim)
    if user is None or not channel_admits(channel, user):
        retry_after = guard_stage.password_failed(request, claim.account, channel, user)
        signals.login_failed.send(sender=Outcome, request=request, username=claim.account,
                                  channel=channel, refused=bool(retry_after))
        if retry_after:
            return Outcome(Outcome.REFUSED, retry_after=retry_after)
        return Outcome(Outcome.FAILED)
    # No risk step after this one: a user-verified passkey is multi-factor, a mailed code adds nothing.
    remember_user(request, user)
    PartialLogin(
        user_id=str(user.pk), backend=default_backend(user), auth_hash=user.get_session_auth_hash(),
        channel=channel, next_url=next_url, started=time.time(), done=["passkey"],
        facts={"second_factor": "passkey", "passkey_sign_in": True,
               partials.CONSOLE_RIGHTS: holds_console_rights(user)},
    ).save(request)
    setattr(request, NEW_PARTIAL_ATTR, True)
    return advance(request)


def default_backend(user):
    """The backend a login without ``authenticate()`` is recorded under (the first that is not axes')."""
    return getattr(user, "backend", None) or next(
        b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes.")
    )


def login_with_proof(request, user, *, proof, channel, next_url=""):
    """Start the pipeline for a user who proved control of the registered e-mail address.

    Used by single-use mailed links (a forced reset, an enrolment) instead of a password: the
    guard and the password stage do not apply, the second factor and the required actions do.
    ``proof`` names the link (e.g. ``"reset_link"``) and is kept in the partial login's facts.
    """
    discard_partial(request)
    PartialLogin(
        user_id=str(user.pk), backend=default_backend(user), auth_hash=user.get_session_auth_hash(),
        channel=channel, next_url=next_url, started=time.time(), done=[proof],
        facts={"email_proven": proof, partials.CONSOLE_RIGHTS: holds_console_rights(user)},
    ).save(request)
    setattr(request, NEW_PARTIAL_ATTR, True)
    return advance(request)


def channel_admits(channel, user):
    """The console is for active staff only; a member's right password fails there like a wrong one."""
    if channel == Channel.CONSOLE:
        return user.is_active and user.is_staff
    return user.is_active


def advance(request):
    """Run the pipeline from the first unfinished step of the session's partial login."""
    partial = PartialLogin.load(request)
    user = partial.get_user(request) if partial else None
    if user is None:
        discard_partial(request)
        return Outcome(Outcome.EXPIRED)
    preload.load(user)  # what the stages below read of the user, in one query (none if loaded with it)
    # 3. second factor, then 5.'s risk step (a risky login without one), then 4. required actions:
    # the first one with a step to take stops here.
    for stage in (second_factor_stage, session_stage, required_actions_stage):
        step = stage.pending_step(request, user, partial)
        if step is not None:
            if getattr(request, NEW_PARTIAL_ATTR, False):
                if not sessions.give_new_key(request.session) and request.session.session_key is not None:
                    request.session.cycle_key()  # never in a session a client held before
                setattr(request, NEW_PARTIAL_ATTR, False)
            partial.step, partial.step_url, partial.step_api_code = step.name, step.url, step.api_code
            partial.allowed_url_names = list(step.url_names)
            partial.save(request)
            sessions.write_new_key(request.session)  # the key and the partial login in one statement
            signals.login_step_pending.send(sender=Outcome, request=request, user=user, step=step.name)
            return Outcome(Outcome.PENDING, user=user, redirect_url=step.url)
    return _finish(request, user, partial)


def step_done(request, step_name, *, password_changed_for=None, **facts):
    """Called by a step's view when its step succeeded; runs the rest of the pipeline.

    A step that set a new password passes the user as ``password_changed_for``, so the partial
    login follows the new session auth hash instead of being voided by it.
    """
    partial = PartialLogin.load(request)
    if partial is None or partial.step != step_name:
        return Outcome(Outcome.EXPIRED)
    if password_changed_for is not None and str(password_changed_for.pk) == partial.user_id:
        partial.auth_hash = password_changed_for.get_session_auth_hash()
    partial.done.append(step_name)
    partial.facts.update(facts)
    partial.step, partial.step_url, partial.step_api_code, partial.allowed_url_names = "", "", "", []
    partial.save(request)
    return advance(request)


def _finish(request, user, partial):
    # 5. session and environment: the user is logged in only now. Its rows, the guard's settling and
    # the audit event are written in one transaction: one commit, and nothing half done.
    discard_partial(request)
    with transaction.atomic():
        sessions.rotate_for_login(request, user)  # the new key, written with the session's final data below
        django_login(request, user, backend=partial.backend)
        marker = {
            "v": MARKER_VERSION,
            "channel": partial.channel,
            "verified": bool(partial.facts.get("second_factor")),
            "at": int(time.time()),
            # when the user last proved it (REAUTH_MAX_AGE): now, unless a remembered browser skipped the code
            "code_at": 0 if partial.facts.get("second_factor") == "remembered" else int(time.time()),
            # staff or superuser: every request of the session follows the console's network rule
            partials.CONSOLE_RIGHTS: holds_console_rights(user),
        }
        marker.update(session_stage.logged_in(request, user, partial))
        request.session[MARKER_KEY] = marker
        guard_stage.pipeline_succeeded(request, user, partial)
        # 6. audit
        audit_stage.logged_in(request, user, partial)
        sessions.write_new_key(request.session)
    signals.login_completed.send(sender=Outcome, request=request, user=user, channel=partial.channel)
    return Outcome(Outcome.DONE, user=user, redirect_url=partial.next_url)
