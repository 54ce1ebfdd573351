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

from datetime import timedelta

from django.db import connections, router
from django.utils import timezone

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


def assess(user, environment, device_digest):
    """(familiar, first login) of a successful login: rules 1 and 2, and whether the user has no recorded
    login yet, in one query (written out: it runs on every login, the ORM's compiling cost more than it)."""
    connection = connections[router.db_for_read(LoginRecord)]
    qn, ops = connection.ops.quote_name, connection.ops

    def column(model, name):
        return f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(name).column)}"

    def table(model):
        return qn(model._meta.db_table)

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
    successful logins, sorted out here."""
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    rows = (LoginRecord.objects.filter(user=user, outcome=LoginOutcome.SUCCESS)
            .order_by("-created_at", "-pk")
            .values_list("country", "asn", "ip_prefix", "browser", "os", "latitude", "longitude", "created_at",
                         "disowned_at")
            [:HISTORY_LIMIT])
    history = [Seen(*row[:7], at=row[7].timestamp()) for row in rows if row[7] >= since and row[8] is None]
    return history, bool(rows)
