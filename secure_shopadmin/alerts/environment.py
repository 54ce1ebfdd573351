"""A login's environment: client IP and its network, browser and OS family, from the request alone.

Parsing uses ``ua-parser`` (the maintained uap-core regexes); the result is cached per User-Agent
string, so a busy shop parses each distinct browser build once per process.
"""

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from ..audit.services import client_ip
from ..conf import app_settings

USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Environment:
    """What a login looked like from the server: the facts a :class:`~.models.LoginRecord` keeps."""

    ip: str | None
    ip_prefix: str
    user_agent: str
    browser: str
    browser_version: str
    os: str


def ip_prefix(ip):
    """The network of ``ip`` as ``address/length`` (``/24`` and ``/64`` by default), or ""."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    length = app_settings.IPV4_PREFIX_LENGTH if address.version == 4 else app_settings.IPV6_PREFIX_LENGTH
    return str(ipaddress.ip_network(f"{address}/{length}", strict=False))


@lru_cache(maxsize=512)
def parse_user_agent(user_agent):
    """(browser family, browser major version, OS family) of a User-Agent string; "" when unknown."""
    if not user_agent:
        return "", "", ""
    import ua_parser  # on first use: loading its regex tables costs every process that never parses one

    browser = ua_parser.parse_user_agent(user_agent)
    os = ua_parser.parse_os(user_agent)
    return (
        (browser.family if browser else "")[:64],
        ((browser.major or "") if browser else "")[:16],
        (os.family if os else "")[:64],
    )


def describe(request):
    """The :class:`Environment` of ``request``."""
    ip = client_ip(request)
    user_agent = (request.META.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX]
    browser, version, os = parse_user_agent(user_agent)
    return Environment(ip=ip, ip_prefix=ip_prefix(ip), user_agent=user_agent,
                       browser=browser, browser_version=version, os=os)


def warm_up():
    """Compile the parser's regexes now (the first parse of a process costs ~0.5 s otherwise)."""
    parse_user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0")
