"""The relying party (the shop, as WebAuthn names it): its id and origin come from ``SITE_URL`` alone.

Never from the request's Host header: a phishing proxy or a forged Host must not change which
origin an assertion is checked against. ``SITE_URL = "https://shop.example"`` gives the RP id
``shop.example`` and the origin ``https://shop.example``; a port other than the scheme's default
is part of the origin (``http://localhost:8160``), never of the id.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from ...conf import app_settings
from ...core.mail import shop_name

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str


def is_local(host):
    """``localhost`` and its subdomains: browsers treat them as a secure context over plain HTTP."""
    return host == "localhost" or host.endswith(".localhost")


def ascii_host(host):
    """The host as browsers put it in an origin: internationalised names in their IDNA (xn--) form."""
    return host.encode("idna").decode("ascii")


def problem(site_url=None):
    """Why ``SITE_URL`` cannot serve as the relying party (a sentence), or None when it can."""
    site_url = app_settings.SITE_URL if site_url is None else site_url
    if not site_url:
        return 'SECURE_SHOPADMIN["SITE_URL"] is empty: passkeys need the one base URL of the site.'
    try:
        parts = urlsplit(site_url)
        host = parts.hostname and ascii_host(parts.hostname)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except (ValueError, UnicodeError) as error:
        return f'SECURE_SHOPADMIN["SITE_URL"] is not a URL ({error}).'
    if parts.scheme not in DEFAULT_PORTS or not host:
        return 'SECURE_SHOPADMIN["SITE_URL"] must be an https:// URL (http:// only for localhost).'
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f'SECURE_SHOPADMIN["SITE_URL"] names the IP address {host}: a passkey\'s RP id must be a domain.'
    if parts.scheme == "http" and not is_local(host):
        return 'SECURE_SHOPADMIN["SITE_URL"] uses http:// for a host other than localhost: passkeys need https.'
    return None


def relying_party():
    """The :class:`RelyingParty` of ``SITE_URL``; raises ImproperlyConfigured when it cannot be one."""
    reason = problem()
    if reason:
        raise ImproperlyConfigured(reason)
    parts = urlsplit(app_settings.SITE_URL)
    host = ascii_host(parts.hostname)
    origin = f"{parts.scheme}://{host}"
    if parts.port and parts.port != DEFAULT_PORTS[parts.scheme]:
        origin += f":{parts.port}"
    return RelyingParty(id=host, origin=origin, name=shop_name() or host)


def available():
    """True when passkeys can be offered (``SITE_URL`` is a usable relying party)."""
    return problem() is None
