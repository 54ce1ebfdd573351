"""When is a login's environment familiar? The rules, in the order they are tried.

1. The browser's device cookie is a known device of the user (it completed a login of the user
   before and was not disowned): familiar, whatever the IP.
2. A successful, not disowned login of the user in the last ``FAMILIAR_WINDOW_DAYS`` had the same
   browser family, OS family and IP network (``IPV4_PREFIX_LENGTH`` / ``IPV6_PREFIX_LENGTH``):
   familiar. So a browser update (same family, new version), a new IP inside the network and a lost
   cookie on a known browser and network do not alert.
3. Otherwise the environment is new.

Each rule costs at most one indexed query; the first that answers wins.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..conf import app_settings
from ..core.models import KnownDevice
from .models import LoginOutcome, LoginRecord
from .risk import Seen


def device_is_known(user, device_digest):
    return bool(device_digest) and KnownDevice.objects.filter(user=user, device_digest=device_digest).exists()


def _recent_logins(user, environment):
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    return LoginRecord.objects.filter(
        user=user, outcome=LoginOutcome.SUCCESS, created_at__gte=since, disowned_at__isnull=True,
        browser=environment.browser, os=environment.os, ip_prefix=environment.ip_prefix,
    )


def matches_recent_login(user, environment, *, exclude_pk=None):
    recent = _recent_logins(user, environment)
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    return recent.exists()


def is_familiar(user, environment, device_digest):
    """True when rule 1 or 2 above says so."""
    return device_is_known(user, device_digest) or matches_recent_login(user, environment)


def has_recorded_login(user):
    """Whether the user ever completed a recorded login (failed attempts do not count)."""
    return LoginRecord.objects.filter(user=user, outcome=LoginOutcome.SUCCESS).exists()


def _naming(connection):
    """(column, table): quoted ``table.column`` and table names for written-out queries."""
    qn = connection.ops.quote_name

    def column(model, name):
        return f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(name).column)}"

    return column, lambda model: qn(model._meta.db_table)


def assess(user, environment, device_digest):
    """(familiar, first login) of a successful login: rules 1 and 2, and whether the user has no recorded
    login yet, in one query (written out: it runs on every login, the ORM's compiling cost more than it)."""
    connection = connections[router.db_for_read(LoginRecord)]
    ops = connection.ops
    column, table = _naming(connection)
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    recorded = (f"{column(LoginRecord, 'user')} = %s AND {column(LoginRecord, 'outcome')} = %s")
    statement = (
        f"SELECT EXISTS(SELECT 1 FROM {table(KnownDevice)} WHERE {column(KnownDevice, 'user')} = %s"
        f" AND {column(KnownDevice, 'device_digest')} = %s),"
        f" EXISTS(SELECT 1 FROM {table(LoginRecord)} WHERE {recorded} AND {column(LoginRecord, 'created_at')} >= %s"
        f" AND {column(LoginRecord, 'disowned_at')} IS NULL AND {column(LoginRecord, 'browser')} = %s"
        f" AND {column(LoginRecord, 'os')} = %s AND {column(LoginRecord, 'ip_prefix')} = %s),"
        f" EXISTS(SELECT 1 FROM {table(LoginRecord)} WHERE {recorded})"
    )
    params = [user.pk, device_digest or "", user.pk, LoginOutcome.SUCCESS, ops.adapt_datetimefield_value(since),
              environment.browser, environment.os, environment.ip_prefix, user.pk, LoginOutcome.SUCCESS]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        known, recent, any_recorded = cursor.fetchone()
    familiar = bool((known and device_digest) or recent)
    return familiar, not familiar and not any_recorded


HISTORY_LIMIT = 200  # the newest familiar logins the risk assessment compares with


def recent_history(user):
    """The user's successful, not disowned logins of the familiar window, newest first, in one query."""
    return history_and_recorded(user)[0]


def history_and_recorded(user):
    """(:func:`recent_history`, whether the user ever completed a recorded login), in one query: the newest
    successful logins, sorted out here (written out: it runs on every login with the risk step)."""
    connection = connections[router.db_for_read(LoginRecord)]
    column, table = _naming(connection)
    fields = ("country", "asn", "ip_prefix", "browser", "os", "latitude", "longitude", "created_at", "disowned_at")
    statement = (
        f"SELECT {', '.join(column(LoginRecord, name) for name in fields)} FROM {table(LoginRecord)}"
        f" WHERE {column(LoginRecord, 'user')} = %s AND {column(LoginRecord, 'outcome')} = %s"
        f" ORDER BY {column(LoginRecord, 'created_at')} DESC, {column(LoginRecord, 'id')} DESC"
        f" LIMIT {HISTORY_LIMIT:d}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, LoginOutcome.SUCCESS])
        rows = cursor.fetchall()
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    history = []
    for row in rows:
        created_at = _aware(row[7])
        if created_at >= since and row[8] is None:
            history.append(Seen(*row[:5], _number(row[5]), _number(row[6]), at=created_at.timestamp()))
    return history, bool(rows)


def _aware(value):
    """A datetime column's value as the ORM gives it (SQLite may hand a string, MySQL a naive UTC time)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _number(value):
    return None if value is None else float(value)
