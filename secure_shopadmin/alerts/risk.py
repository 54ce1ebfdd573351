"""How risky is a password login? One score from named reasons, a level, and what the policy does.

Assessed right after the password, before the login completes (docs/risk.rst lists the same):

==================== ====== ==============================================================
reason               weight when
==================== ====== ==============================================================
new_device             10   the browser has no known device cookie of the user
new_country            40   a country none of the user's familiar logins had
new_network            25   a network owner (ASN) none of them had
new_prefix              5   an IP network (/24, /64) none of them had
unfamiliar             30   without a place or without familiar logins: today's rule (no
                            known cookie, no recent login with this browser, OS and network)
impossible_travel      60   distance from the last located login / time since > MAX_TRAVEL_KMH
                            (more than 100 km between countries, 1,000 km within one; never
                            from a known network owner in the same country)
anonymous_network      60   the address is in ANONYMOUS_NETWORK_FILES
recent_failures        30   RISK_RECENT_FAILURES or more failed passwords on the account first
breached_password      60   the password is in the breached-password lists
==================== ====== ==============================================================

A known device halves the three "new place" weights: a known phone on a trip abroad is medium (an
alert), a known browser on a new cell tower or home-router address is low (nothing). "Familiar"
logins are the user's successful, not disowned logins within ``FAMILIAR_WINDOW_DAYS``; a user with
none has no place to compare with, so the place reasons do not apply. Levels: ``medium`` from
:data:`MEDIUM`, ``high`` from :data:`HIGH`. A host adds its own reasons through ``RISK_ADAPTER``.
"""

import math
from dataclasses import dataclass, field

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings

LOW, MEDIUM_LEVEL, HIGH_LEVEL = "low", "medium", "high"
MEDIUM, HIGH = 30, 60
NONE, NOTIFY, CHALLENGE, BLOCK = "none", "notify", "challenge", "block"
ACTIONS = (NOTIFY, CHALLENGE, BLOCK)

WEIGHTS = {
    "new_device": 10,
    "new_country": 40,
    "new_network": 25,
    "new_prefix": 5,
    "unfamiliar": 30,
    "impossible_travel": 60,
    "anonymous_network": 60,
    "recent_failures": 30,
    "breached_password": 60,
}
GUESS_KM, DOMESTIC_GUESS_KM = 100, 1000
PLACE_REASONS = ("new_country", "new_network", "new_prefix")

REASON_LABELS = {
    "new_device": _("new device"),
    "new_country": _("new country"),
    "new_network": _("new network owner"),
    "new_prefix": _("new network address"),
    "unfamiliar": _("unfamiliar environment"),
    "impossible_travel": _("impossible travel"),
    "anonymous_network": _("anonymous or hosting network"),
    "recent_failures": _("many failed attempts first"),
    "breached_password": _("password found in breaches"),
}


def reason_label(name):
    return REASON_LABELS.get(name, name)


@dataclass
class Assessment:
    """The score of a login and its reasons (name -> weight, in the order found)."""

    reasons: dict = field(default_factory=dict)

    def add(self, name, weight=None):
        self.reasons[name] = WEIGHTS.get(name, 0) if weight is None else int(weight)

    @property
    def score(self):
        return sum(self.reasons.values())

    @property
    def level(self):
        return HIGH_LEVEL if self.score >= HIGH else MEDIUM_LEVEL if self.score >= MEDIUM else LOW


@dataclass(frozen=True)
class Seen:
    """One familiar login of the user, as far as the assessment needs it."""

    country: str
    asn: int | None
    ip_prefix: str
    browser: str
    os: str
    latitude: float | None
    longitude: float | None
    at: float  # POSIX time


@dataclass(frozen=True)
class LoginFacts:
    """What this login looks like: its place (:class:`~.geoip.Place`), network and browser."""

    place: object
    ip_prefix: str
    browser: str
    os: str
    at: float
    known_device: bool
    anonymous: bool = False
    prior_failures: int = 0
    breached: bool = False


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def impossible_travel(facts, history):
    """True when reaching here from the last located login needs more than ``MAX_TRAVEL_KMH``."""
    if not facts.place.located:
        return False
    last = next((seen for seen in history if seen.latitude is not None and seen.longitude is not None), None)
    if last is None:
        return False
    if facts.place.country == last.country and facts.place.asn in {seen.asn for seen in history}:
        return False  # a known network of the same country: its addresses' city-level guesses differ widely
    km = distance_km(last.latitude, last.longitude, facts.place.latitude, facts.place.longitude)
    hours = max(facts.at - last.at, 60) / 3600  # a minute at least: two logins at once are not infinitely fast
    # city-level guesses differ: by 100 km anywhere, and a mobile carrier's gateway may sit far inside a country
    least = DOMESTIC_GUESS_KM if facts.place.country == last.country else GUESS_KM
    return km > least and km / hours > app_settings.MAX_TRAVEL_KMH


def is_familiar(facts, history):
    """Today's rule: a known device, or a familiar login with this browser, OS and network."""
    return facts.known_device or any(
        (seen.browser, seen.os, seen.ip_prefix) == (facts.browser, facts.os, facts.ip_prefix) for seen in history)


def assess(facts, history):
    """The :class:`Assessment` of a login described by ``facts`` against the user's familiar ``history``
    (newest first)."""
    assessment = Assessment()
    if not facts.known_device:
        assessment.add("new_device")
    place = facts.place
    if history and (place.country or place.asn):
        if place.country and place.country not in {seen.country for seen in history}:
            assessment.add("new_country")
        if place.asn and place.asn not in {seen.asn for seen in history}:
            assessment.add("new_network")
        if facts.ip_prefix and facts.ip_prefix not in {seen.ip_prefix for seen in history}:
            assessment.add("new_prefix")
        if facts.known_device:
            for name in PLACE_REASONS:
                if name in assessment.reasons:
                    assessment.add(name, WEIGHTS[name] // 2)
    elif not is_familiar(facts, history):
        assessment.add("unfamiliar")
    if history and impossible_travel(facts, history):
        assessment.add("impossible_travel")
    if facts.anonymous:
        assessment.add("anonymous_network")
    if facts.prior_failures >= app_settings.RISK_RECENT_FAILURES:
        assessment.add("recent_failures")
    if facts.breached:
        assessment.add("breached_password")
    return assessment


def action_for(channel, level):
    """What ``RISK_POLICY`` does with ``level`` on ``channel``: none, notify, challenge or block."""
    action = (app_settings.RISK_POLICY.get(channel) or {}).get(level, NONE)
    return action if action in ACTIONS else NONE


class RiskAdapter:
    """The host's hook (``RISK_ADAPTER``): subclass it and override :meth:`adjust`.

    ``adjust`` gets the request, the user, the :class:`Assessment` and the :class:`LoginFacts`;
    it may add reasons (``assessment.add("vip_account", 30)``), remove them, and returns the
    assessment to use. It runs on every password login: keep it free of slow calls.
    """

    def adjust(self, request, user, assessment, facts):
        return assessment


def adapter():
    return import_string(app_settings.RISK_ADAPTER)()
