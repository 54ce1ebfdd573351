"""Small MaxMind-format databases for the tests, written with ``mmdb-writer`` (City and ASN, IPv4 and IPv6).

The documentation ranges stand for places: the file decides, not a private-range rule.
"""

from mmdb_writer import MMDBWriter
from netaddr import IPSet

OSAKA = {"city": {"names": {"en": "Osaka", "ja": "大阪市"}},
         "country": {"iso_code": "JP", "names": {"en": "Japan", "ja": "日本"}},
         "subdivisions": [{"names": {"en": "Osaka", "ja": "大阪府"}}],
         "location": {"latitude": 34.6937, "longitude": 135.5023}}
TOKYO = {"city": {"names": {"en": "Tokyo", "ja": "東京"}},
         "country": {"iso_code": "JP", "names": {"en": "Japan", "ja": "日本"}},
         "location": {"latitude": 35.6895, "longitude": 139.6917}}
FRANKFURT = {"city": {"names": {"en": "Frankfurt am Main", "ja": "フランクフルト"}},
             "country": {"iso_code": "DE", "names": {"en": "Germany", "ja": "ドイツ"}},
             "location": {"latitude": 50.1109, "longitude": 8.6821}}
NEW_YORK = {"city": {"names": {"en": "New York", "ja": "ニューヨーク"}},
            "country": {"iso_code": "US", "names": {"en": "United States", "ja": "アメリカ合衆国"}},
            "location": {"latitude": 40.7128, "longitude": -74.006}}

EXAMPLE_NET = {"autonomous_system_number": 64500, "autonomous_system_organization": "Example Net"}
MOBILE_NET = {"autonomous_system_number": 64501, "autonomous_system_organization": "Example Mobile"}
FOREIGN_HOSTING = {"autonomous_system_number": 64510, "autonomous_system_organization": "Foreign Hosting"}
FAR_ISP = {"autonomous_system_number": 64520, "autonomous_system_organization": "Far ISP"}

#: network -> (city record, ASN record)
NETWORKS = {
    "203.0.113.0/24": (OSAKA, EXAMPLE_NET),  # home: HOME_IP, HOME_IP_2
    "198.18.0.0/16": (OSAKA, EXAMPLE_NET),  # the same owner, other /24s (a new router address)
    "192.0.2.0/24": (TOKYO, MOBILE_NET),  # the member's phone network
    "198.51.100.0/24": (FRANKFURT, FOREIGN_HOSTING),
    "100.64.0.0/16": (NEW_YORK, FAR_ISP),
    "2001:db8:1::/48": (OSAKA, EXAMPLE_NET),
    "2001:db8:2::/48": (FRANKFURT, FOREIGN_HOSTING),
}


def write(path, database_type, records):
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=database_type,
                        languages=["en", "ja"], description="test data")
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return str(path)


def build(folder, networks=None):
    """Write a City and an ASN database into ``folder``; returns their paths."""
    networks = networks or NETWORKS
    city = write(folder / "Test-City.mmdb", "GeoLite2-City", {n: c for n, (c, _a) in networks.items()})
    asn = write(folder / "Test-ASN.mmdb", "GeoLite2-ASN", {n: a for n, (_c, a) in networks.items()})
    return [city, asn]
