"""The client IP as the app sees it: ``REMOTE_ADDR``, or, behind trusted proxies only, the forwarded header.

The forwarded header (``X-Forwarded-For``) is read from the right: each proxy appends the address it
received the request from, so walking right to left past our own trusted proxies reaches the
first address we did not add ourselves. Anything left of that is client-supplied and ignored.

When a forwarded header arrives and no proxy is trusted, ``REMOTE_ADDR`` keeps counting (probably
the proxy: every client would share one counter); a warning is logged once and
:data:`forwarded_header_ignored` is sent, so the guard can show it on the admin's lock list.

This module sits below the audit trail (every event records the client IP) and imports only ``conf``.
"""

import ipaddress
import logging
from functools import lru_cache

from django.dispatch import Signal

from .conf import app_settings

logger = logging.getLogger("secure_shopadmin.lockout")
#: A forwarded header arrived while no proxy is trusted; sent once per process. Args: header.
forwarded_header_ignored = Signal()
_warned = set()


@lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(str(p), strict=False) for p in proxies)


def trusted_networks():
    return _networks(tuple(app_settings.LOCKOUT_TRUSTED_PROXIES))


def parse(value):
    """An ``ipaddress`` object (IPv4-mapped IPv6 as IPv4), or None if ``value`` is not an address."""
    try:
        address = ipaddress.ip_address(str(value).strip().strip("[]"))
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The client IP address of ``request`` as a string, or None. ``AXES_CLIENT_IP_CALLABLE``."""
    request = getattr(request, "_request", request)  # a DRF Request
    if request is None:
        return None
    remote = parse(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get(app_settings.LOCKOUT_FORWARDED_HEADER, "")
    networks = trusted_networks()
    if not networks:
        if forwarded:
            warn_untrusted_forwarded()
        return str(remote) if remote else None
    if not is_trusted(remote, networks) or not forwarded:
        return str(remote) if remote else None
    nearest = remote
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = parse(hop)
        if address is None:
            break  # garbage left of here came from the client: the proxy that added it is the client
        if not is_trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)


def warn_untrusted_forwarded():
    """Log once per process, and tell the receivers once, that a forwarded header is being ignored."""
    if forwarded_header_ignored in _warned:
        return
    _warned.add(forwarded_header_ignored)
    header = app_settings.LOCKOUT_FORWARDED_HEADER
    logger.warning(
        "A request carried %s but SECURE_SHOPADMIN['LOCKOUT_TRUSTED_PROXIES'] is empty: the guard counts "
        "REMOTE_ADDR. If a reverse proxy sits in front of Django, list it there.", header,
    )
    forwarded_header_ignored.send(sender=None, header=header)
