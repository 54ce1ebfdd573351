"""Choosing a campaign's targets: from an uploaded list, a selection, all staff, members inactive since
a date, or every account with a legacy or wrapped hash. Adding targets changes no account. An
account without a password (it signs in with a passkey) is not exposed and never added."""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from ..alerts.models import LoginOutcome, LoginRecord
from ..audit.models import EventKind
from ..audit.services import record
from ..hashers.schemes import legacy_algorithms
from ..hashers.wrapped import ALGORITHM as WRAPPED_ALGORITHM
from . import userlist
from .exposure import not_exposed
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
    """Add these users as targets (each once per campaign); returns how many were new.

    Each chunk is one ``INSERT … SELECT`` from the user table: a list of a hundred thousand users
    never becomes model instances."""
    ids = sorted(set(user_ids))
    connection = connections[router.db_for_write(CampaignTarget)]
    chunk_size = min(INSERT_CHUNK, (connection.features.max_query_params or 65535) - 10)
    statement = _insert_targets_sql(connection)
    now = CampaignTarget._meta.get_field("added_at").get_db_prep_save(timezone.now(), connection)
    added = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start:start + chunk_size]
            cursor.execute(statement % ", ".join(["%s"] * len(chunk)), [campaign.pk, source.pk, now, "", False, *chunk])
            added += cursor.rowcount
    return added


def _insert_targets_sql(connection):
    """``INSERT … SELECT`` of targets from the users whose pks fill the ``%s`` left in it; a user the
    campaign already targets is skipped by the unique constraint (conflicts ignored)."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    column = {field.name: quote(field.column) for field in CampaignTarget._meta.concrete_fields}
    user_column = {name: f"u.{quote(user_model._meta.get_field(name).column)}"
                   for name in (user_model.USERNAME_FIELD, "is_staff")}
    user_column["pk"] = f"u.{quote(user_model._meta.pk.column)}"
    table = quote(CampaignTarget._meta.db_table)
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    on_conflict = connection.ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None)
    columns = ", ".join(column[name] for name in ("campaign", "source", "added_at", "wrap_state", "needs_enrolment",
                                                   "user", "username", "is_staff"))
    return (f"{insert} {table} ({columns}) "
            f"SELECT %%s, %%s, %%s, %%s, %%s, {user_column['pk']}, {user_column[user_model.USERNAME_FIELD]}, "
            f"{user_column['is_staff']} FROM {quote(user_model._meta.db_table)} u "
            f"WHERE {user_column['pk']} IN (%s) {on_conflict}")


def add_source(campaign, kind, user_ids, *, actor=None, request=None, label="", lines=0, duplicates=0,
               unknown=()):
    """Record a source and add its users; returns the :class:`CampaignSource`."""
    if not campaign.is_draft:
        raise NotDraft
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    user_ids = list(user_ids)
    passwordless = not_exposed(user_ids)
    user_ids = [pk for pk in user_ids if pk not in passwordless]
    with transaction.atomic():
        source = CampaignSource.objects.create(
            campaign=campaign, kind=kind, label=label[:255], added_by=actor_obj, lines=lines,
            matched=len(set(user_ids)), duplicates=duplicates, unknown=list(unknown))
        source.added = add_users(campaign, user_ids, source)
        source.save(update_fields=["added"])
        record(EventKind.CAMPAIGN, request=request, actor=actor_obj, campaign=campaign,
               reason=campaign.audit_reason(), step="targets_added", source=kind, label=source.label,
               matched=source.matched, added=source.added, unknown=len(source.unknown),
               not_exposed=len(passwordless))
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
