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

from django.utils import timezone

from ..conf import app_settings
from ..core.models import KnownDevice
from .models import LoginOutcome, LoginRecord
from .risk import Seen


def device_is_known(user, device_digest):
    return bool(device_digest) and KnownDevice.objects.filter(user=user, device_digest=device_digest).exists()


def matches_recent_login(user, environment, *, exclude_pk=None):
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    recent = LoginRecord.objects.filter(
        user=user, outcome=LoginOutcome.SUCCESS, created_at__gte=since, disowned_at__isnull=True,
        browser=environment.browser, os=environment.os, ip_prefix=environment.ip_prefix,
    )
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    return recent.exists()


def is_familiar(user, environment, device_digest):
    """True when rule 1 or 2 above says so."""
    return device_is_known(user, device_digest) or matches_recent_login(user, environment)


def has_recorded_login(user):
    """Whether the user ever completed a recorded login (failed attempts do not count)."""
    return LoginRecord.objects.filter(user=user, outcome=LoginOutcome.SUCCESS).exists()


HISTORY_LIMIT = 200  # the newest familiar logins the risk assessment compares with


def recent_history(user):
    """The user's successful, not disowned logins of the familiar window, newest first, in one query."""
    since = timezone.now() - timedelta(days=app_settings.FAMILIAR_WINDOW_DAYS)
    rows = (LoginRecord.objects.filter(user=user, outcome=LoginOutcome.SUCCESS, created_at__gte=since,
                                       disowned_at__isnull=True)
            .order_by("-created_at", "-pk")
            .values_list("country", "asn", "ip_prefix", "browser", "os", "latitude", "longitude", "created_at")
            [:HISTORY_LIMIT])
    return [Seen(*row[:7], at=row[7].timestamp()) for row in rows]
