"""Phase 1, contain: every target's compromised-mode reset required, batch by batch, with the bulk forced reset.

Per batch of targets not yet required (primary-key order), in one transaction: the resets stage's
:func:`~secure_shopadmin.resets.services.require_reset` (password unusable, its former hash kept
encrypted on the requirement, every session, API token and remembered browser ended; lockout
counters are left as they are), the staff who must enrol a second factor, the campaign mail queued
(one per target: a deduplication key), the targets stamped. No hashing: the wrap comes later. A
killed run loses at most the batch in flight, which the next run does again from scratch. The mail
phase sends what each batch queued as soon as the batch commits.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..core.policy import users_under_policy
from ..resets import services as reset_services
from ..resets.models import OutgoingMail, ResetCategory, ResetMode, ResetRequirement
from ..twofactor.models import AuthenticatorDevice
from . import mailing
from .models import CampaignTarget
from .sql import update_columns

SKIPPED = "skipped"


def todo(campaign):
    return CampaignTarget.objects.filter(campaign=campaign, required_at__isnull=True, user__isnull=False)


def next_batch(rows, last, batch_size):
    """[(target pk, user pk)] of the next targets after ``last`` (one indexed lookup, no join)."""
    return list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", "user_id")[:batch_size])


def contain_batch(campaign, batch, report):
    """Require the resets of one batch [(target pk, user pk)] in one transaction; returns the targets done."""
    target_ids = [target_id for target_id, _user_id in batch]
    now = timezone.now()
    with transaction.atomic():
        # the batch may have been done by a concurrent run since it was read: keep to the rest
        fresh = set(CampaignTarget.objects.select_for_update().filter(pk__in=target_ids, required_at__isnull=True)
                    .values_list("pk", flat=True))
        if not fresh:
            return 0
        user_of = {target_id: user_id for target_id, user_id in batch if target_id in fresh}
        user_ids = list(user_of.values())
        result = reset_services.require_reset(
            user_ids, mode=ResetMode.COMPROMISED, category=ResetCategory.BREACH, reason=campaign.audit_reason(),
            actor=campaign.applied_by, notify=False, batch_size=len(user_ids), campaign=campaign)
        requirements = dict(ResetRequirement.objects.pending().filter(user_id__in=user_ids)
                            .values_list("user_id", "pk"))
        must_enrol = enrolment_needed(user_ids)
        mails = queue_mails(campaign, user_ids, requirements, must_enrol) if campaign.send_mails else {}
        columns = {  # each target written once
            "requirement": {t: requirements.get(u) for t, u in user_of.items()},
            "needs_enrolment": {t: u in must_enrol for t, u in user_of.items()},
            "mail": {t: mails[u] for t, u in user_of.items() if u in mails},
        }
        if not campaign.wrap_hashes:
            columns["wrap_state"] = dict.fromkeys(user_of, SKIPPED)
        update_columns(CampaignTarget, columns, same={"required_at": now})
        record(EventKind.CAMPAIGN, campaign=campaign, actor=campaign.applied_by, reason=campaign.audit_reason(),
               step="batch", targets=len(user_of), required=result.affected,
               already_pending=len(result.already_pending), mails_queued=len(mails),
               first_target=min(fresh), last_target=max(fresh))
    report.batches += 1
    report.required += result.affected
    report.already_pending += len(result.already_pending)
    report.mails_queued += len(mails)
    return len(user_of)


def enrolment_needed(user_ids):
    """Users among these whom the 2FA policy covers and who have no confirmed device."""
    covered = users_under_policy(get_user_model()._default_manager.filter(pk__in=user_ids))
    with_device = AuthenticatorDevice.objects.filter(user_id__in=user_ids, confirmed=True).values("user_id")
    return set(covered.exclude(pk__in=with_device).values_list("pk", flat=True))


def queue_mails(campaign, user_ids, requirements, must_enrol):
    """Queue one campaign mail per user with an address and a pending requirement; returns {user_id: mail id}.

    The targets are locked and not yet stamped, so none has a mail yet (a killed run's batch was
    rolled back whole): the rows are inserted without looking their keys up first, a lookup that
    would read the whole outbox per batch once it is large. The keys stay unique in the database.
    """
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    with_address = set(user_model._default_manager.filter(pk__in=user_ids).exclude(**{email_field: ""})
                       .exclude(**{f"{email_field}__isnull": True}).values_list("pk", flat=True))
    rows = OutgoingMail.objects.bulk_create([
        mailing.mail_row(campaign, user_id, requirements[user_id], user_id in must_enrol)
        for user_id in user_ids if user_id in requirements and user_id in with_address
    ], batch_size=1000)
    if all(row.pk is not None for row in rows):
        return {row.user_id: row.pk for row in rows}
    keys = [row.dedupe_key for row in rows]  # a database that does not return the new keys
    return dict(OutgoingMail.objects.filter(dedupe_key__in=keys).values_list("user_id", "pk"))
