"""The shop's lists of anonymous and hosting networks (``ANONYMOUS_NETWORK_FILES``).

Each file holds CIDRs or single addresses, one a line; ``#`` starts a comment. The lists are read
once per process into one set per prefix length, so a lookup costs one set probe per length.
"""

import ipaddress
import logging
import os
from functools import lru_cache

from ..conf import app_settings

logger = logging.getLogger("secure_shopadmin.alerts")


def parse(lines):
    """{(version, prefix length): {network int}} of the CIDRs in ``lines``; bad lines are skipped."""
    networks = {}
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        networks.setdefault((network.version, network.prefixlen), set()).add(int(network.network_address))
    return networks


@lru_cache(maxsize=4)
def _networks(paths):
    merged = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="ignore") as lines:
                for key, values in parse(lines).items():
                    merged.setdefault(key, set()).update(values)
        except OSError as error:
            logger.warning("anonymous network list %s cannot be read (%s); it is skipped", path, error)
    return merged


def networks():
    return _networks(tuple(os.fspath(p) for p in app_settings.ANONYMOUS_NETWORK_FILES))


def is_listed(ip):
    """True when ``ip`` falls in a network of the shop's anonymous-network lists."""
    if not ip or not app_settings.ANONYMOUS_NETWORK_FILES:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = address.max_prefixlen
    value = int(address)
    for (version, length), members in networks().items():
        if version == address.version and (value >> (bits - length) << (bits - length)) in members:
            return True
    return False


def problems():
    return [(os.fspath(p), "missing") for p in app_settings.ANONYMOUS_NETWORK_FILES if not os.path.exists(p)]
