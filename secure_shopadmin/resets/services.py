"""Forced password resets in plain functions: require (one user or thousands), mail, prove, satisfy, cancel."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record, record_many
from ..conf import app_settings
from ..core import crypto, deferred, tokens
from ..core.links import url_from
from ..core.sensitive import secret_variables
from ..core.sessions import end_sessions_of, end_user_sessions
from . import bulk, outbox, signals
from .models import MailState, OutgoingMail, ResetCategory, ResetMode, ResetRequirement

logger = logging.getLogger(__name__)
TOKEN_PURPOSE = "reset"
LINK_MAIL = "reset_link"
NOTICE_MAIL = "reset_notice"
RESET_MAILS = (LINK_MAIL, NOTICE_MAIL)
#: the audit kind of a sent reset mail (``reset_required`` with ``step="mailed"`` until the core has its own)


class ResetError(Exception):
    """A reset step that cannot happen (no pending requirement, the link already used…)."""


# --- reading -------------------------------------------------------------------------------------

def pending_requirement(user):
    """The user's pending requirement, or None (one query)."""
    return ResetRequirement.objects.pending().filter(user_id=user.pk).first()


def has_pending_requirement(user):
    return ResetRequirement.objects.pending().filter(user_id=user.pk).exists()


def link_proven(requirement, partial):
    """Whether this partial login began with this requirement's mailed link (``compromised`` mode)."""
    return bool(
        partial is not None
        and partial.facts.get("email_proven") == "reset_link"
        and requirement.link_used_at is not None
    )


def may_complete(requirement, partial):
    """Whether this partial login may complete ``requirement``: a ``compromised`` one only after its
    link or a sign-in passkey (which typed no password; it may also remove the password)."""
    passkey = partial is not None and bool(partial.facts.get("passkey_sign_in"))
    return requirement.mode != ResetMode.COMPROMISED or passkey or link_proven(requirement, partial)


# --- requiring ---------------------------------------------------------------------------------

@dataclass
class RequireResult:
    """What :func:`require_reset` did: user ids newly required, upgraded (change → compromised),
    already pending, and how many mails it queued."""

    required: list = field(default_factory=list)
    upgraded: list = field(default_factory=list)
    already_pending: list = field(default_factory=list)
    mails_queued: int = 0

    @property
    def affected(self):
        return len(self.required) + len(self.upgraded)


def require_reset(users, *, mode=ResetMode.COMPROMISED, reason="", actor=None, request=None, notify=True,
                  base_url="", batch_size=None, progress=None, dry_run=False, audit=True, campaign=None,
                  category=None):
    """Require a password reset of ``users`` (a queryset, users or primary keys), in batches.

    ``category`` (:class:`~.models.ResetCategory`) is why, as the users are told in the mails and on
    the pages; None takes :meth:`~.models.ResetCategory.default_for` the mode.

    Per batch, in one transaction and a bounded number of queries: create the requirements
    (a user with one pending keeps it; a pending ``change`` is upgraded by ``compromised``),
    make passwords unusable (``compromised``), end every session, delete API tokens, forget
    remembered browsers, write the audit events (unless ``audit`` is False: a caller that writes
    its own single event, such as "this wasn't me"; ``campaign``: the breach campaign the events
    belong to) and queue the mails (``notify``). Signals are
    sent after each batch commits. Mails are queued, not sent: call :func:`send_reset_mails`.
    """
    mode = ResetMode(mode)
    category = ResetCategory(category or ResetCategory.default_for(mode))
    batch_size = batch_size or app_settings.RESET_BATCH_SIZE
    user_ids = _user_ids(users)
    result = RequireResult()
    for start in range(0, len(user_ids), batch_size):
        batch = user_ids[start:start + batch_size]
        if dry_run:
            pending = set(ResetRequirement.objects.pending().filter(user_id__in=batch)
                          .values_list("user_id", flat=True))
            result.already_pending += [pk for pk in batch if pk in pending]
            result.required += [pk for pk in batch if pk not in pending]
        else:
            _require_batch(batch, (mode, category), reason, actor, request, notify, base_url, result, audit,
                           campaign)
        if progress:
            progress(len(batch))
    return result


def _user_ids(users):
    user_model = get_user_model()
    if hasattr(users, "values_list"):
        return list(users.order_by("pk").values_list("pk", flat=True))
    ids = [getattr(u, "pk", u) for u in users]
    return sorted(set(user_model._meta.pk.to_python(pk) for pk in ids))


def _require_batch(batch, kind, reason, actor, request, notify, base_url, result, audit=True, campaign=None):
    mode, category = kind
    user_model = get_user_model()
    now = timezone.now()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        users = list(user_model._default_manager.select_for_update().filter(pk__in=batch).order_by("pk")
                     .only("pk", "password", "email", "is_active", "is_staff", user_model.USERNAME_FIELD))
        existing = {r.user_id: r for r in ResetRequirement.objects.pending().filter(user_id__in=batch)}
        new_users = [u for u in users if u.pk not in existing]
        upgrade = [existing[u.pk] for u in users
                   if u.pk in existing and mode == ResetMode.COMPROMISED and existing[u.pk].mode == ResetMode.CHANGE]
        result.already_pending += [pk for pk, r in existing.items() if r not in upgrade]
        box = crypto.fernet()

        def snapshot(user):
            if mode != ResetMode.COMPROMISED:
                return ""
            return box.encrypt(user.password.encode()).decode("ascii")

        created = ResetRequirement.objects.bulk_create([
            ResetRequirement(user_id=u.pk, mode=mode, category=category, reason=reason, required_by=actor_obj,
                             required_at=now, old_password_wrapped=snapshot(u))
            for u in new_users
        ], batch_size=1000)
        by_id = {u.pk: u for u in users}
        for requirement in upgrade:
            requirement.mode, requirement.category = mode, category
            requirement.old_password_wrapped = snapshot(by_id[requirement.user_id])
            requirement.reason = "\n".join(filter(None, [requirement.reason, reason]))
        if upgrade:
            ResetRequirement.objects.bulk_update(upgrade, ["mode", "category", "old_password_wrapped", "reason"])
        changed = created + upgrade
        changed_ids = [r.user_id for r in changed]
        if changed_ids:
            if mode == ResetMode.COMPROMISED:
                user_model._default_manager.filter(pk__in=changed_ids).update(password=make_password(None))
            end_sessions_of(changed_ids)
            bulk.delete_api_tokens_of(changed_ids)
            signals.trust_withdrawn.send(sender=ResetRequirement, user_ids=changed_ids)
            targets = [by_id[pk] for pk in changed_ids]
            if audit:
                record_many(EventKind.RESET_REQUIRED, targets, actor=actor_obj, request=request,
                            reason=reason, campaign=campaign, mode=str(mode), category=str(category))
        if notify:
            mailable = changed + [r for r in existing.values() if r not in upgrade]
            result.mails_queued += len(outbox.queue_many([
                _reset_mail(r, base_url, r.user_id) for r in mailable if by_id.get(r.user_id) is not None
                and by_id[r.user_id].email
            ]))
        result.required += [r.user_id for r in created]
        result.upgraded += [r.user_id for r in upgrade]
        if changed:
            transaction.on_commit(lambda: signals.reset_required.send(
                sender=ResetRequirement, requirements=changed, actor=actor_obj, reason=reason))


def _reset_mail(requirement, base_url, user_id, dedupe=True):
    template = LINK_MAIL if requirement.mode == ResetMode.COMPROMISED else NOTICE_MAIL
    key = f"reset:{requirement.pk}:{requirement.mode}" if dedupe else None
    return OutgoingMail(user_id=user_id, template=template, dedupe_key=key,
                        context={"requirement": requirement.pk, "base_url": base_url})


def require_one(user, **kwargs):
    """Require a reset of one user; returns the pending requirement."""
    require_reset([user.pk], **kwargs)
    return pending_requirement(user)


def resend_mail(requirement, base_url=""):
    """Queue another reset mail for a pending requirement (a new link voids the previous one)."""
    if not requirement.is_pending:
        raise ResetError("not pending")
    return outbox.queue_many([_reset_mail(requirement, base_url, requirement.user_id, dedupe=False)])


def send_reset_mails(progress=None, limit=None):
    """Send the queued reset mails (links and notices); returns the outbox's report."""
    return outbox.send_queued(OutgoingMail.objects.filter(template__in=RESET_MAILS), progress=progress, limit=limit)


def request_new_link(email, base_url=""):
    """Self-service: mail a new link to ``email`` if it is the address of a user with a pending
    ``compromised`` requirement whose last mail is older than ``RESET_LINK_RESEND_INTERVAL``.

    Says nothing about whether it did (the caller always shows the same answer).
    """
    if not email:
        return 0
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    cutoff = timezone.now() - timedelta(seconds=app_settings.RESET_LINK_RESEND_INTERVAL)
    requirements = [
        r for r in ResetRequirement.objects.pending().filter(
            mode=ResetMode.COMPROMISED, **{f"user__{email_field}__iexact": email.strip()},
        ).select_related("user")
        if (r.mailed_at is None or r.mailed_at < cutoff) and not _mail_in_flight(r)
    ]
    rows = []
    for requirement in requirements:
        rows += resend_mail(requirement, base_url)
    if rows:  # queued now, sent after the response: the answer takes as long with a pending reset as without
        deferred.after_response(lambda: outbox.send_now(rows))
    return len(rows)


def last_mail_state(requirement):
    """The state of the requirement's latest reset mail (a :class:`~.models.MailState`), or None if none
    was queued: what a page may truthfully say about the link ("sent", "queued", "could not be sent")."""
    row = (OutgoingMail.objects.filter(context__requirement=requirement.pk, user_id=requirement.user_id)
           .order_by("-pk").values_list("state", flat=True).first())
    return MailState(row) if row else None


def _mail_in_flight(requirement):
    return OutgoingMail.objects.filter(
        template=LINK_MAIL, context__requirement=requirement.pk,
        state__in=[MailState.QUEUED, MailState.SENDING],
    ).exists()


@outbox.preparer(LINK_MAIL)
def _prepare_link_mail(mail):
    """Make the link's token at send time: only its digest is stored, on the requirement."""
    requirement = ResetRequirement.objects.pending().filter(pk=mail.context.get("requirement"),
                                                            mode=ResetMode.COMPROMISED).first()
    if requirement is None:
        raise outbox.Skip("reset no longer pending")
    token, digest = tokens.new_token(TOKEN_PURPOSE)
    expires_at = timezone.now() + timedelta(seconds=app_settings.RESET_LINK_TTL)
    ResetRequirement.objects.filter(pk=requirement.pk).update(
        link_digest=digest, link_expires_at=expires_at, link_used_at=None)
    return {"link": link_url(mail.context.get("base_url", ""), token), "expires_at": expires_at,
            "requirement": requirement}


@outbox.preparer(NOTICE_MAIL)
def _prepare_notice_mail(mail):
    requirement = ResetRequirement.objects.pending().filter(pk=mail.context.get("requirement")).first()
    if requirement is None:
        raise outbox.Skip("reset no longer pending")
    return {"requirement": requirement,
            "login_url": url_from(mail.context.get("base_url", ""), login_path(requirement.user))}


def login_path(user):
    if user.is_staff:
        return reverse("admin:login")
    return resolve_url(app_settings.STOREFRONT_LOGIN_URL_NAME or settings.LOGIN_URL)


def link_url(base_url, token):
    """The absolute URL of the reset link carrying ``token``."""
    return url_from(base_url, reverse("secure_shopadmin:reset_link", args=[token]))




def mail_sent(mail):
    """Outbox hook: a reset mail left; note it on the requirement, audit and signal."""
    if mail.template not in RESET_MAILS:
        return
    requirement_id = mail.context.get("requirement")
    now = timezone.now()

    ResetRequirement.objects.filter(pk=requirement_id).update(mailed_at=now, mail_count=F("mail_count") + 1)
    requirement = ResetRequirement.objects.filter(pk=requirement_id).select_related("user").first()
    if requirement is None:
        return
    record(EventKind.RESET_MAILED, target=requirement.user, mail=mail.template)
    signals.reset_mailed.send(sender=ResetRequirement, requirement=requirement, mail=mail)


# --- the mailed link ---------------------------------------------------------------------------

@secret_variables
def requirement_for_token(token):
    """The pending ``compromised`` requirement whose unexpired, unused link carries ``token``, or None.

    Looked up by keyed digest: the stored value never equals what an attacker can send.
    """
    if not token or len(token) > 128:
        return None
    digest = tokens.token_digest(token, TOKEN_PURPOSE)
    requirement = (ResetRequirement.objects.pending().select_related("user")
                   .filter(link_digest=digest, mode=ResetMode.COMPROMISED, link_used_at__isnull=True,
                           link_expires_at__gt=timezone.now()).first())
    if requirement is None or not crypto.constant_time_equal(requirement.link_digest, digest):
        return None
    if not requirement.user.is_active:
        return None
    return requirement


@secret_variables
def use_link(token):
    """Spend the link (compare-and-set on ``link_used_at``); returns the requirement, or None."""
    requirement = requirement_for_token(token)
    if requirement is None:
        return None
    now = timezone.now()
    claimed = ResetRequirement.objects.pending().filter(
        pk=requirement.pk, link_digest=requirement.link_digest, link_used_at__isnull=True,
        link_expires_at__gt=now,
    ).update(link_used_at=now)
    if claimed != 1:
        return None
    requirement.link_used_at = now
    return requirement


# --- the new password ----------------------------------------------------------------------------

def former_hash(requirement, user):
    """The password hash the new password must not match (decrypted snapshot, or the current hash)."""
    if requirement.old_password_wrapped:
        try:
            return crypto.decrypt(requirement.old_password_wrapped).decode()
        except crypto.InvalidToken:
            return None
    return user.password if user.has_usable_password() else None


def is_former_password(requirement, user, password):
    encoded = former_hash(requirement, user)
    return bool(encoded) and check_password(password, encoded)


@secret_variables
def satisfy(requirement, user, new_password, request=None):
    """Set the new password (None: no password, after a passkey sign-in) and close the requirement,
    in one transaction."""
    with transaction.atomic():
        closed = ResetRequirement.objects.pending().filter(pk=requirement.pk, user_id=user.pk).update(
            satisfied_at=timezone.now(), old_password_wrapped="", link_digest="")
        if closed != 1:
            raise ResetError("not pending")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        requirement.refresh_from_db()
        record(EventKind.RESET_SATISFIED, request=request, actor=user, target=user, mode=requirement.mode)
        # the "password changed" notice is the alerts' (sent for every deliberate password change)
        transaction.on_commit(lambda: signals.reset_satisfied.send(
            sender=ResetRequirement, requirement=requirement, user=user, request=request))
    return requirement


def end_other_sessions(request, user):
    """After the new password: end every other session of the user."""
    return end_user_sessions(user, keep_session_key=request.session.session_key)


# --- cancelling ----------------------------------------------------------------------------------

def cancel(requirements, *, actor=None, request=None, reason=""):
    """Withdraw pending requirements; returns how many. The password stays as it is (an unusable one
    stays unusable: the user then resets it the ordinary way or an operator sets one)."""
    pending = list(requirements.pending().select_related("user") if hasattr(requirements, "pending")
                   else [r for r in requirements if r.is_pending])
    if not pending:
        return 0
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        cancelled = ResetRequirement.objects.pending().filter(pk__in=[r.pk for r in pending]).update(
            cancelled_at=timezone.now(), cancelled_by=actor_obj, old_password_wrapped="", link_digest="")
        OutgoingMail.objects.filter(template__in=RESET_MAILS, state=MailState.QUEUED,
                                    context__requirement__in=[r.pk for r in pending]).delete()
        record_many(EventKind.RESET_CANCELLED, [r.user for r in pending], actor=actor_obj,
                    request=request, reason=reason)
        transaction.on_commit(lambda: [signals.reset_cancelled.send(
            sender=ResetRequirement, requirement=r, actor=actor_obj) for r in pending])
    return cancelled


def send_reset_mail_now(user):
    """Send the user's queued reset mail now (not the rest of the queue); on failure it stays queued."""
    try:
        outbox.send_queued(OutgoingMail.objects.filter(user_id=user.pk, template__in=RESET_MAILS),
                           retry_failed=False)
    except Exception:  # noqa: BLE001 - the mail stays queued for the next send run
        logger.exception("the reset mail could not be sent now; it stays queued")
