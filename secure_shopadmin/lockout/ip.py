"""The keys the guard counts client IPs under (the client IP itself is :mod:`secure_shopadmin.net`'s)."""

import ipaddress

from ..conf import app_settings
from ..net import client_ip, parse

__all__ = ["NOTICE_FORWARDED_UNTRUSTED", "client_ip", "counting_key", "parse", "request_key"]

#: the admin notice shown while a forwarded header is ignored
NOTICE_FORWARDED_UNTRUSTED = "forwarded_header_untrusted"


def counting_key(ip):
    """The key an IP is counted under: an IPv4 address, or its IPv6 network (``LOCKOUT_IPV6_PREFIX``)."""
    address = parse(ip) if ip else None
    if address is None:
        return ""
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{app_settings.LOCKOUT_IPV6_PREFIX}", strict=False)
        return str(network)
    return str(address)


def request_key(request):
    return counting_key(client_ip(request))
