"""Choosing a campaign's targets: from an uploaded list, a selection, all staff, members inactive since
a date, or every account with a legacy or wrapped hash. Adding targets changes no account."""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from ..alerts.models import LoginOutcome, LoginRecord
from ..audit.models import EventKind
from ..audit.services import record
from ..hashers.schemes import legacy_algorithms
from ..hashers.wrapped import ALGORITHM as WRAPPED_ALGORITHM
from . import userlist
from .models import CampaignSource, CampaignTarget, SourceKind

INSERT_CHUNK = 2000


class NotDraft(Exception):
    """Targets can only be added to a draft campaign."""


def users():
    return get_user_model()._default_manager.all()


def all_staff():
    return users().filter(is_staff=True)


def inactive_members(since):
    """Members (not staff) with no successful login since ``since``: neither a login record nor ``last_login``."""
    logged_in = LoginRecord.objects.filter(user_id=OuterRef("pk"), outcome=LoginOutcome.SUCCESS,
                                           created_at__gte=since)
    return (users().filter(is_staff=False).filter(Q(last_login__isnull=True) | Q(last_login__lt=since))
            .exclude(Exists(logged_in)))


def prefix_q(field, algorithms):
    """Passwords (in ``field``) stored by one of ``algorithms``; matches nothing for none."""
    return reduce(or_, (Q(**{f"{field}__startswith": f"{algorithm}$"}) for algorithm in algorithms), Q(pk__in=[]))


def legacy_or_wrapped_q(field="password"):
    return prefix_q(field, (*legacy_algorithms(), WRAPPED_ALGORITHM))


def legacy_hash_holders():
    return users().filter(legacy_or_wrapped_q())


def add_users(campaign, user_ids, source):
    """Add these users as targets (each once per campaign); returns how many were new."""
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    ids = sorted(set(user_ids))
    added = 0
    for start in range(0, len(ids), INSERT_CHUNK):
        chunk = ids[start:start + INSERT_CHUNK]
        present = set(CampaignTarget.objects.filter(campaign=campaign, user_id__in=chunk)
                      .values_list("user_id", flat=True))
        rows = users().filter(pk__in=[pk for pk in chunk if pk not in present]).values_list(
            "pk", username_field, "is_staff")
        created = CampaignTarget.objects.bulk_create(
            [CampaignTarget(campaign=campaign, user_id=pk, username=name, is_staff=staff, source=source)
             for pk, name, staff in rows],
            batch_size=1000, ignore_conflicts=True)
        added += len(created)
    return added


def add_source(campaign, kind, user_ids, *, actor=None, request=None, label="", lines=0, duplicates=0,
               unknown=()):
    """Record a source and add its users; returns the :class:`CampaignSource`."""
    if not campaign.is_draft:
        raise NotDraft
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    user_ids = list(user_ids)
    with transaction.atomic():
        source = CampaignSource.objects.create(
            campaign=campaign, kind=kind, label=label[:255], added_by=actor_obj, lines=lines,
            matched=len(set(user_ids)), duplicates=duplicates, unknown=list(unknown))
        source.added = add_users(campaign, user_ids, source)
        source.save(update_fields=["added"])
        record(EventKind.CAMPAIGN, request=request, actor=actor_obj, campaign=campaign,
               reason=campaign.audit_reason(), step="targets_added", source=kind, label=source.label,
               matched=source.matched, added=source.added, unknown=len(source.unknown))
    return source


def add_upload(campaign, raw_lines, *, label="", actor=None, request=None):
    """Add the users an uploaded list names (usernames or e-mail addresses, one a line)."""
    entries, report = userlist.parse_lines(raw_lines)
    pks, unknown, ambiguous = userlist.resolve(entries)
    problems = ([f"line {n}: not UTF-8" for n in report["undecodable"]] + list(unknown)
                + [f"{entry} (several users)" for entry in ambiguous])
    return add_source(campaign, SourceKind.UPLOAD, pks, actor=actor, request=request, label=label,
                      lines=report["lines"] - report["blank"], duplicates=report["duplicates"], unknown=problems)


def add_selection(campaign, queryset, *, actor=None, request=None):
    pks = list(queryset.values_list("pk", flat=True))
    return add_source(campaign, SourceKind.SELECTION, pks, actor=actor, request=request,
                      label=str(len(pks)))


def add_all_staff(campaign, *, actor=None, request=None):
    return add_source(campaign, SourceKind.ALL_STAFF, all_staff().values_list("pk", flat=True),
                      actor=actor, request=request)


def add_inactive_members(campaign, since, *, actor=None, request=None):
    return add_source(campaign, SourceKind.INACTIVE, inactive_members(since).values_list("pk", flat=True),
                      actor=actor, request=request, label=since.isoformat())


def add_legacy_hash_holders(campaign, *, actor=None, request=None):
    return add_source(campaign, SourceKind.LEGACY, legacy_hash_holders().values_list("pk", flat=True),
                      actor=actor, request=request)
