"""The simulated month (tests/risk/population.py): with the default policy at least 99 % of the
leaked-password attackers meet a code or a block, and at most 2 % of the members' logins meet a code."""

from secure_shopadmin.alerts import risk

from . import population


def test_the_default_policy_stops_attackers_and_spares_members():
    attempts = population.population(seed=2026)
    counts, rates = population.run(attempts)
    assert counts["attackers"] == 200 and counts["legit"] > 3000
    assert rates["risk: attackers challenged or blocked"] >= 0.99
    assert rates["risk: legitimate logins challenged"] <= 0.02
    # the month holds what makes it hard: trips (alerts), new addresses without a cookie (today's alerts)
    assert counts["legit_notified"] > 0 and counts["legit_challenged"] > 0
    assert rates["today: legitimate logins alerted"] > rates["risk: legitimate logins notified"]


def test_another_seed_keeps_the_targets():
    _counts, rates = population.run(population.population(seed=7))
    assert rates["risk: attackers challenged or blocked"] >= 0.99
    assert rates["risk: legitimate logins challenged"] <= 0.02


def test_without_places_the_rules_fall_back_to_today():
    """No GeoIP database: a place is empty and "unfamiliar" (today's rule) is all that alerts."""
    attempts = population.population(seed=2026, members=30, attackers=30)
    for attempt in attempts:
        attempt.place = population.geoip.Place()
    counts, _rates = population.run(attempts)
    assert counts["legit_today_alerted"] > 0
    # every login today's rule alerts on still gets at least the alert
    assert counts["legit_notified"] + counts["legit_challenged"] >= counts["legit_today_alerted"]
    assert counts["attackers_today_alerted"] == counts["attackers"]
    assert risk.WEIGHTS["unfamiliar"] >= risk.MEDIUM
