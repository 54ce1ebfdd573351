"""Where an address is, offline: the shop's MaxMind-format databases (``GEOIP_DATABASES``).

Each file's kind (City, Country or ASN) comes from its own metadata (``database_type``), so
GeoLite2-City/Country/ASN, DB-IP Lite and IPinfo Lite all serve. The files are opened once per
process (:func:`readers`) with ``maxminddb``; every configured address is looked up, whatever its
range: the file decides what it knows. Without a database a :class:`Place` is empty and the login
is judged on the other signals.
"""

import ipaddress
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

import maxminddb
from django.conf import settings

from ..conf import app_settings

logger = logging.getLogger("secure_shopadmin.alerts")

CITY, COUNTRY, ASN = "city", "country", "asn"
COORDINATE_DECIMALS = 1  # ~11 km: a place, not an address


@dataclass(frozen=True)
class Place:
    """What the databases say about one address; every field may be empty."""

    country: str = ""  # ISO 3166-1 alpha-2
    names: tuple = ()  # ((language, "City, Country"), ...) for the site's LANGUAGES
    region: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    asn: int | None = None
    as_org: str = ""
    built: date | None = None  # the oldest build date of the databases that answered

    @property
    def located(self):
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Database:
    path: str
    kind: str
    built: date
    reader: object


def kind_of(database_type):
    """``city``, ``country`` or ``asn`` from a file's ``database_type`` (IPinfo Lite: country and ASN)."""
    name = (database_type or "").lower()
    if "city" in name:
        return CITY
    if "asn" in name and "ipinfo" not in name:
        return ASN
    return COUNTRY


def open_database(path):
    """A :class:`Database` for ``path``; raises OSError or ``maxminddb.InvalidDatabaseError``."""
    reader = maxminddb.open_database(os.fspath(path))
    meta = reader.metadata()
    built = datetime.fromtimestamp(meta.build_epoch, tz=UTC).date()
    return Database(os.fspath(path), kind_of(meta.database_type), built, reader)


@lru_cache(maxsize=4)
def _readers(paths):
    opened = []
    for path in paths:
        try:
            opened.append(open_database(path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
            logger.warning("GeoIP database %s cannot be read (%s); it is skipped", path, error)
    return tuple(opened)


def readers():
    """The configured databases, opened once per process (per configured list)."""
    return _readers(tuple(os.fspath(p) for p in app_settings.GEOIP_DATABASES))


def configured():
    return bool(app_settings.GEOIP_DATABASES)


def _name(names, language="en"):
    return (names or {}).get(language) or (names or {}).get("en") or ""


def _place_names(city, country, iso_code):
    """{language: "City, Country"} for each of the site's languages (English names as the fallback)."""
    labels = {}
    for language in [code.split("-")[0] for code, _name_ in settings.LANGUAGES]:
        parts = [_name(city, language), _name(country, language) or iso_code]
        label = ", ".join(part for part in parts if part)
        if label:
            labels.setdefault(language, label)
    return labels


def _asn_number(value):
    if isinstance(value, int):
        return value
    text = str(value or "").upper().removeprefix("AS")
    return int(text) if text.isdigit() else None


def _read(record):
    """The fields of one database record, whatever its vendor's layout (MaxMind, DB-IP, IPinfo)."""
    country = record.get("country") if isinstance(record.get("country"), dict) else {}
    subdivisions = record.get("subdivisions") or [{}]
    location = record.get("location") or {}
    iso_code = country.get("iso_code") or record.get("country_code") or ""
    country_names = country.get("names") or ({"en": record["country"]} if isinstance(
        record.get("country"), str) else {})
    city_names = (record.get("city") or {}).get("names") or {}
    fields = {
        "country": iso_code,
        "names": _place_names(city_names, country_names, iso_code) if (city_names or iso_code) else None,
        "region": _name(subdivisions[0].get("names")),
        "city": _name(city_names),
        "latitude": location.get("latitude"), "longitude": location.get("longitude"),
        "asn": _asn_number(record.get("autonomous_system_number") or record.get("asn")),
        "as_org": record.get("autonomous_system_organization") or record.get("as_name") or "",
    }
    return {key: value for key, value in fields.items() if value not in ("", None)}


def lookup(ip):
    """The :class:`Place` of ``ip`` in the configured databases (an empty one when none knows it)."""
    if not ip or not app_settings.GEOIP_DATABASES:
        return Place()
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return Place()
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    found, built = {}, None
    for database in readers():
        try:
            record = database.reader.get(address)
        except ValueError:  # an IPv6 address in an IPv4-only file
            record = None
        if not isinstance(record, dict):
            continue
        for key, value in _read(record).items():
            found.setdefault(key, value)
        built = min(built, database.built) if built else database.built
    for key in ("latitude", "longitude"):
        if key in found:
            found[key] = round(float(found[key]), COORDINATE_DECIMALS)
    found["names"] = tuple(sorted((found.get("names") or {}).items()))
    return Place(**found, built=built)


def problems(now=None):
    """(path, what is wrong) for each configured file that is missing, unreadable or too old."""
    now = now or time.time()
    found = []
    for path in app_settings.GEOIP_DATABASES:
        path = os.fspath(path)
        if not os.path.exists(path):
            found.append((path, "missing"))
            continue
        try:
            database = open_database(path)
        except (OSError, ValueError, maxminddb.InvalidDatabaseError):
            found.append((path, "unreadable"))
            continue
        age_days = (date.fromtimestamp(now) - database.built).days
        database.reader.close()
        if age_days > app_settings.GEOIP_MAX_AGE_DAYS:
            found.append((path, f"built {age_days} days ago"))
    return found
