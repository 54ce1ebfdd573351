"""A simulated population for the risk rules: members' ordinary month and leaked-password attackers.

200 members log in over 30 days: a PC at home (a broadband provider whose router gets a new address
now and then), a phone on a mobile network (a new address almost every time), browser updates,
cleared cookies, a listed VPN now and then, and trips abroad (on their own devices, or a borrowed
one). 200 attackers hold a member's leaked password and log in from other countries' homes, from
hosting networks and from anonymous networks (the shop lists hosting and Tor ranges in
``ANONYMOUS_NETWORK_FILES``), each from a browser of his own.

:func:`run` replays the logins in time order through today's rule (an alert without a known cookie
and without a recent login of the same browser, OS and /24) and through
:func:`secure_shopadmin.alerts.risk.assess` with the default ``RISK_POLICY``, and returns the rates.
"""

import random
from dataclasses import dataclass

from secure_shopadmin.alerts import geoip, risk

DAY = 86400
HOME = ("JP", 35.0, 136.0)
ABROAD = [("US", 40.7, -74.0), ("KR", 37.6, 127.0), ("TW", 25.0, 121.5), ("DE", 50.1, 8.7), ("TH", 13.8, 100.5),
          ("FR", 48.9, 2.35), ("AU", -33.9, 151.2), ("SG", 1.35, 103.8)]
BROADBAND = [64500, 64501, 64502, 64503]
MOBILE = [64600, 64601, 64602]
HOSTING_ASN = 64900  # listed ranges: hosting providers and Tor exits (anonymous=True)
BROWSERS = [("Chrome", "Windows"), ("Edge", "Windows"), ("Safari", "Mac OS X"), ("Chrome", "Mac OS X")]
PHONES = [("Mobile Safari", "iOS"), ("Chrome Mobile", "Android")]


@dataclass
class Attempt:
    member: int
    at: float
    place: geoip.Place
    prefix: str
    browser: tuple
    device: str
    anonymous: bool = False
    attacker: bool = False


def place(country, lat, lon, asn, rng):
    return geoip.Place(country=country, asn=asn, latitude=round(lat + rng.uniform(-.5, .5), 1),
                       longitude=round(lon + rng.uniform(-.5, .5), 1))


def member_month(member, rng, days):
    """One member's logins: a list of :class:`Attempt` in time order."""
    isp, carrier = rng.choice(BROADBAND), rng.choice(MOBILE)
    home_prefix = f"{isp}.{rng.randrange(256)}"
    pc, phone = rng.choice(BROWSERS), rng.choice(PHONES)
    cookies = {"pc": f"{member}-pc-0", "phone": f"{member}-phone-0"}
    trip = None
    if rng.random() < 0.15:
        start = rng.uniform(3, days - 8)
        trip = (start, start + rng.uniform(3, 7), rng.choice(ABROAD))
    attempts, at = [], rng.uniform(0, DAY)
    while at < days * DAY:
        on_phone = rng.random() < 0.5
        kind = "phone" if on_phone else "pc"
        if rng.random() < 0.03:  # cleared cookies, a private window, a new phone
            cookies[kind] = f"{member}-{kind}-{at:.0f}"
        if rng.random() < 0.02:  # the router got a new address from the same provider
            home_prefix = f"{isp}.{rng.randrange(256)}"
        anonymous = rng.random() < 0.005  # a VPN whose exits the shop lists
        if trip and trip[0] * DAY <= at <= trip[1] * DAY:
            country, lat, lon = trip[2]
            spot = place(country, lat, lon, 65000 + ABROAD.index(trip[2]), rng)  # hotel and roaming networks
            prefix = f"{spot.asn}.{rng.randrange(64)}"
            if rng.random() < 0.05:  # a hotel's or a friend's computer
                cookies[kind] = f"{member}-borrowed-{at:.0f}"
        elif on_phone and rng.random() < 0.7:
            spot = place(*HOME, carrier, rng)
            prefix = f"{carrier}.{rng.randrange(200)}"  # a new cell tower address almost every time
        else:
            spot, prefix = place(*HOME, isp, rng), home_prefix
        if anonymous:
            spot = geoip.Place(country="NL", asn=HOSTING_ASN, latitude=52.4, longitude=4.9)
            prefix = f"{HOSTING_ASN}.{rng.randrange(32)}"
        attempts.append(Attempt(member, at, spot, prefix, phone if on_phone else pc, cookies[kind], anonymous))
        at += rng.expovariate(1 / (DAY * rng.choice([0.5, 1, 2])))
    if trip:  # the flight: no login while crossing
        attempts = [a for a in attempts if not (trip[0] * DAY - 14 * 3600 < a.at < trip[0] * DAY)
                    and not (trip[1] * DAY < a.at < trip[1] * DAY + 14 * 3600)]
    return attempts


def attacker(number, members, rng, days):
    victim = rng.randrange(members)
    kind = number % 3
    at = rng.uniform(5 * DAY, days * DAY)
    browser = rng.choice(BROWSERS)
    device = f"attacker-{number}"
    if kind == 0:  # a home connection in another country
        country, lat, lon = rng.choice(ABROAD)
        spot = place(country, lat, lon, 66000 + number, rng)
        return Attempt(victim, at, spot, f"{spot.asn}.1", browser, device, attacker=True)
    if kind == 1:  # a hosting network (listed), at home or abroad
        country, lat, lon = rng.choice([HOME, *ABROAD])
        spot = place(country, lat, lon, HOSTING_ASN + 1, rng)
        return Attempt(victim, at, spot, f"hosting.{number}", browser, device, anonymous=True, attacker=True)
    spot = geoip.Place(country=rng.choice(["NL", "DE", "US", "SE"]), asn=HOSTING_ASN)  # Tor exits: no city
    return Attempt(victim, at, spot, f"tor.{number}", browser, device, anonymous=True, attacker=True)


def population(seed=2026, members=200, attackers=200, days=30):
    rng = random.Random(seed)
    attempts = [a for m in range(members) for a in member_month(m, rng, days)]
    attempts += [attacker(n, members, rng, days) for n in range(attackers)]
    return sorted(attempts, key=lambda a: a.at)


def run(attempts, window_days=90):
    """Replay ``attempts``; returns the counts and rates of today's rule and of the risk rules."""
    history, devices = {}, {}
    counts = dict.fromkeys(["legit", "legit_today_alerted", "legit_challenged", "legit_notified",
                            "attackers", "attackers_today_alerted", "attackers_stopped", "attackers_notified"], 0)
    for attempt in attempts:
        seen = history.setdefault(attempt.member, [])
        recent = [s for s in seen if attempt.at - s.at < window_days * DAY]
        known = attempt.device in devices.setdefault(attempt.member, set())
        facts = risk.LoginFacts(place=attempt.place, ip_prefix=attempt.prefix, browser=attempt.browser[0],
                                os=attempt.browser[1], at=attempt.at, known_device=known,
                                anonymous=attempt.anonymous)
        first = not seen
        today_alert = not first and not risk.is_familiar(facts, recent)
        action = risk.action_for("storefront", risk.assess(facts, recent).level)
        stopped = action in (risk.CHALLENGE, risk.BLOCK)
        prefix = "attackers" if attempt.attacker else "legit"
        if attempt.attacker or not first:
            counts[prefix] += 1
            counts[f"{prefix}_today_alerted"] += today_alert
            if attempt.attacker:
                counts["attackers_stopped"] += stopped
                counts["attackers_notified"] += action == risk.NOTIFY
            else:
                counts["legit_challenged"] += action == risk.CHALLENGE
                counts["legit_notified"] += action == risk.NOTIFY
        if attempt.attacker and stopped:
            continue  # the attacker never got in: nothing learned
        seen.insert(0, risk.Seen(attempt.place.country, attempt.place.asn, attempt.prefix, attempt.browser[0],
                                 attempt.browser[1], attempt.place.latitude, attempt.place.longitude, attempt.at))
        devices[attempt.member].add(attempt.device)
    rates = {
        "today: legitimate logins alerted": counts["legit_today_alerted"] / counts["legit"],
        "today: attackers alerted": counts["attackers_today_alerted"] / counts["attackers"],
        "today: attackers challenged or blocked": 0.0,
        "risk: legitimate logins challenged": counts["legit_challenged"] / counts["legit"],
        "risk: legitimate logins notified": counts["legit_notified"] / counts["legit"],
        "risk: attackers challenged or blocked": counts["attackers_stopped"] / counts["attackers"],
        "risk: attackers notified only": counts["attackers_notified"] / counts["attackers"],
    }
    return counts, rates
