"""Phase 1, contain: every target's compromised-mode reset required, batch by batch, with the bulk forced reset.

Per batch of targets not yet required (primary-key order), in one transaction: the resets stage's
:func:`~secure_shopadmin.resets.services.require_reset` (password unusable, its former hash kept
encrypted on the requirement, every session, API token and remembered browser ended; lockout
counters are left as they are), the staff who must enrol a second factor, the targets stamped
(set-based updates). No hashing: the wrap comes later. A killed run loses at most the batch in
flight, which the next run does again from scratch. The mail phase queues and sends each
contained target's mail (:func:`queue_mails`) as soon as its batch commits.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
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
        rows = CampaignTarget.objects.filter(pk__in=list(user_of))
        stamp = {"required_at": now, "requirement": Subquery(
            ResetRequirement.objects.pending().filter(user_id=OuterRef("user_id")).values("pk")[:1])}
        if not campaign.wrap_hashes:
            stamp["wrap_state"] = SKIPPED
        rows.update(**stamp)
        must_enrol = enrolment_needed(user_ids)
        if must_enrol:
            rows.filter(user_id__in=must_enrol).update(needs_enrolment=True)
        record(EventKind.CAMPAIGN, campaign=campaign, actor=campaign.applied_by, reason=campaign.audit_reason(),
               step="batch", targets=len(user_of), required=result.affected,
               already_pending=len(result.already_pending), first_target=min(fresh), last_target=max(fresh))
    report.batches += 1
    report.required += result.affected
    report.already_pending += len(result.already_pending)
    return len(user_of)


def enrolment_needed(user_ids):
    """Users among these whom the 2FA policy covers and who have no confirmed device."""
    covered = users_under_policy(get_user_model()._default_manager.filter(pk__in=user_ids))
    with_device = AuthenticatorDevice.objects.filter(user_id__in=user_ids, confirmed=True).values("user_id")
    return set(covered.exclude(pk__in=with_device).values_list("pk", flat=True))


def queue_mails(campaign, limit, after=0):
    """Queue the campaign mail of up to ``limit`` contained targets (primary key above ``after``) with an address
    and none queued yet, in one transaction with the targets' link to it; returns (how many, the last target's
    primary key), so the next call starts there instead of reading past every target already mailed.

    The mail phase calls this just before sending, so containment itself inserts no mail: a batch is
    contained sooner, and a mail is queued a moment before it leaves. One run at a time holds the
    campaign; the deduplication key would keep a target to one mail even if two raced here.
    """
    email_field = get_user_model().get_email_field_name()
    with transaction.atomic():
        rows = list(CampaignTarget.objects.filter(
            campaign=campaign, required_at__isnull=False, mail__isnull=True, requirement__isnull=False,
            user__isnull=False, pk__gt=after).exclude(**{f"user__{email_field}": ""})
            .exclude(**{f"user__{email_field}__isnull": True})
            .order_by("pk").values_list("pk", "user_id", "requirement_id", "needs_enrolment")[:limit])
        if not rows:
            return 0, after
        mails = OutgoingMail.objects.bulk_create([
            mailing.mail_row(campaign, user_id, requirement_id, enrol) for _pk, user_id, requirement_id, enrol in rows
        ], batch_size=1000, ignore_conflicts=True)
        keys = [mail.dedupe_key for mail in mails]
        mail_of = dict(OutgoingMail.objects.filter(dedupe_key__in=keys).values_list("user_id", "pk"))
        update_columns(CampaignTarget, {"mail": {pk: mail_of[user_id] for pk, user_id, *_rest in rows
                                                 if user_id in mail_of}})
    return len(rows), rows[-1][0]
