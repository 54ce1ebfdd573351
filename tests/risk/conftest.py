import re

import pytest
from django.core import mail

from ..alerts.conftest import login  # noqa: F401 (the fixture)
from . import geodb

CODE_RE = re.compile(r"\b([2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5})\b")
NOT_ME_RE = re.compile(r"https?://[^\s\"<]+(/security/login/code/[A-Za-z0-9_\-]+/not-me/)")
ANONYMOUS_IP = "203.0.113.200"  # inside the member's home network, but on the shop's anonymous list


@pytest.fixture(scope="session")
def geo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("geoip")
    paths = geodb.build(folder)
    listed = folder / "anonymous.txt"
    listed.write_text(f"# test list\n{ANONYMOUS_IP}/32\n2001:db8:2:66::/64\nnot a network\n", encoding="utf-8")
    return {"GEOIP_DATABASES": paths, "ANONYMOUS_NETWORK_FILES": [str(listed)]}


@pytest.fixture
def geo(settings, geo_files, no_two_factor):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, **geo_files, "SHOP_NAME": "Example Shop",
                                 "TWO_FACTOR_POLICY": {"staff": False, "superusers": False, "members": False}}
    return geo_files


def mailed_code(user):
    for message in reversed(mail.outbox):
        if message.to == [user.email] and CODE_RE.search(message.body):
            return CODE_RE.search(message.body).group(1), message
    raise AssertionError("no code mailed")
