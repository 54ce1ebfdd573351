"""Reading the shop's MaxMind-format databases: kind from metadata, IPv4 and IPv6, the system check."""

import datetime

import pytest
import time_machine
from django.core import checks

from secure_shopadmin.alerts import anonymous, geoip, risk

from . import geodb
from .conftest import ANONYMOUS_IP


def test_city_and_asn_merge_for_ipv4_and_ipv6(geo):
    place = geoip.lookup("203.0.113.10")
    assert (place.country, place.city, place.asn, place.as_org) == ("JP", "Osaka", 64500, "Example Net")
    assert dict(place.names) == {"en": "Osaka, Japan", "ja": "大阪市, 日本"}
    assert (place.latitude, place.longitude) == (34.7, 135.5)  # approximate: 0.1 degree
    assert place.built == datetime.datetime.now(datetime.UTC).date()
    v6 = geoip.lookup("2001:db8:2::1234")
    assert (v6.country, v6.asn, v6.as_org) == ("DE", 64510, "Foreign Hosting")
    assert geoip.lookup("::ffff:203.0.113.10").asn == 64500  # an IPv4-mapped address


def test_the_file_decides_even_for_private_ranges(settings, tmp_path, no_two_factor):
    paths = geodb.build(tmp_path, {"10.0.0.0/8": (geodb.TOKYO, geodb.MOBILE_NET)})
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "GEOIP_DATABASES": paths}
    assert geoip.lookup("10.1.2.3").city == "Tokyo"
    assert geoip.lookup("8.8.8.8") == geoip.Place()


def test_without_databases_the_place_is_empty(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "GEOIP_DATABASES": []}
    assert geoip.lookup("203.0.113.10") == geoip.Place()


@pytest.mark.parametrize(("database_type", "kind"), [
    ("GeoLite2-City", geoip.CITY), ("GeoLite2-Country", geoip.COUNTRY), ("GeoLite2-ASN", geoip.ASN),
    ("DBIP-City-Lite", geoip.CITY), ("DBIP-ASN-Lite (compat=GeoLite2-ASN)", geoip.ASN),
    ("ipinfo lite.mmdb", geoip.COUNTRY)])
def test_the_kind_comes_from_the_metadata(database_type, kind):
    assert geoip.kind_of(database_type) == kind


def test_ipinfo_lite_layout_is_read(settings, tmp_path):
    path = geodb.write(tmp_path / "ipinfo_lite.mmdb", "ipinfo lite.mmdb", {"203.0.113.0/24": {
        "asn": "AS64500", "as_name": "Example Net", "country_code": "JP", "country": "Japan"}})
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "GEOIP_DATABASES": [path]}
    place = geoip.lookup("203.0.113.9")
    assert (place.country, place.asn, place.as_org, dict(place.names)["en"]) == ("JP", 64500, "Example Net", "Japan")


def risk_warnings():
    return [p for p in checks.run_checks() if p.id in ("secure_shopadmin.W053", "secure_shopadmin.W054")]


def test_the_check_reports_missing_unreadable_and_old_files(settings, tmp_path):
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        old = geodb.write(tmp_path / "old.mmdb", "GeoLite2-City", {"203.0.113.0/24": geodb.OSAKA})
    fresh = geodb.write(tmp_path / "fresh.mmdb", "GeoLite2-ASN", {"203.0.113.0/24": geodb.EXAMPLE_NET})
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "GEOIP_MAX_AGE_DAYS": 60,
                                 "GEOIP_DATABASES": [str(tmp_path / "gone.mmdb"), str(broken), old, fresh],
                                 "ANONYMOUS_NETWORK_FILES": [str(tmp_path / "gone.txt")]}
    messages = [p.msg for p in risk_warnings()]
    assert len(messages) == 4
    assert "gone.mmdb, which is missing" in messages[0] and "broken.mmdb, which is unreadable" in messages[1]
    assert "old.mmdb, which is built" in messages[2] and "gone.txt, which is missing" in messages[3]
    assert geoip.lookup("203.0.113.1").asn == 64500  # the readable file still serves


def test_anonymous_lists_match_cidrs_of_both_families(geo):
    assert anonymous.is_listed(ANONYMOUS_IP) and not anonymous.is_listed("203.0.113.201")
    assert anonymous.is_listed("2001:db8:2:66::9") and not anonymous.is_listed("2001:db8:2:67::9")


class VipAdapter(risk.RiskAdapter):
    def adjust(self, request, user, assessment, facts):
        if user.username == "member0001":
            assessment.add("vip_account", 70)
        return assessment


def test_a_host_adds_its_own_reason(settings, geo, member, login):
    from ..alerts.conftest import browser

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "RISK_ADAPTER": f"{__name__}.VipAdapter"}
    record = login(browser(), member)
    assert "vip_account" in record.reason_names and record.risk_level == "high"


def test_weights_and_levels_are_as_documented():
    home = geoip.Place(country="JP", asn=64500)
    seen = [risk.Seen("JP", 64500, "203.0.113.0/24", "Chrome", "Windows", None, None, 0)]

    def facts(**kwargs):
        base = dict(place=home, ip_prefix="203.0.113.0/24", browser="Chrome", os="Windows", at=1e9, known_device=True)
        return risk.LoginFacts(**{**base, **kwargs})
    assert risk.assess(facts(), seen).level == risk.LOW
    assert risk.assess(facts(), seen).score == 0
    assert risk.assess(facts(ip_prefix="198.18.5.0/24"), seen).reasons == {"new_prefix": 2}
    abroad = risk.assess(facts(place=geoip.Place(country="DE", asn=64510), ip_prefix="x"), seen)
    assert abroad.reasons == {"new_country": 20, "new_network": 12, "new_prefix": 2} and abroad.level == "medium"
    stranger = risk.assess(facts(place=geoip.Place(country="DE", asn=64510), ip_prefix="x", known_device=False), seen)
    assert stranger.score == 80 and stranger.level == "high"
    assert risk.assess(facts(prior_failures=5), seen).reasons == {"recent_failures": 30}
    assert risk.assess(facts(breached=True), seen).level == "high"


@pytest.mark.parametrize(("key", "value", "check_id"), [
    ("RISK_POLICY", {"storefront": {"high": "lock out"}}, "secure_shopadmin.E055"),
    ("RISK_POLICY", {"storefront": {"severe": "block"}}, "secure_shopadmin.E055"),
    ("RISK_CODE_TTL", 900, "secure_shopadmin.E056"),
    ("RISK_ADAPTER", "no.such.Adapter", "secure_shopadmin.E057"),
])
def test_risk_settings_are_checked(settings, key, value, check_id):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, key: value}
    assert check_id in [p.id for p in checks.run_checks()]


def test_the_default_risk_settings_pass_the_checks():
    assert not [p for p in checks.run_checks() if p.id in (
        "secure_shopadmin.E055", "secure_shopadmin.E056", "secure_shopadmin.E057", "secure_shopadmin.W053")]
