"""The Security overview and ``security_report --json`` give the same figures for a known state."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.testing import pipeline_login

from ..conftest import enrol_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(superuser, staff_user, member):
    users = get_user_model().objects
    enrol_device(superuser)
    for n, scheme in enumerate(["md5", "md5", "phpass"]):
        users.create(username=f"old{n}", password=make_legacy_password(scheme, "pw"))
    users.create(username="gone", password="!unusable")
    return superuser


def report(*args):
    out = StringIO()
    try:
        call_command("security_report", "--json", *args, stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return json.loads(out.getvalue()), code


def test_report_json_matches_the_seeded_state_and_fails_its_threshold(seeded):
    data, code = report()
    figures = data["figures"]
    assert figures["staff_without_2fa"] == 1  # clerk
    assert figures["two_factor_users"] == 1
    assert figures["legacy_hashes"] == {"md5": 2, "phpass": 1}  # the scheme names the commands take
    assert figures["hash_schemes"]["argon2"] == 3 and figures["hash_schemes"]["!"] == 1
    assert data["thresholds_failed"] == [{"key": "staff_without_2fa", "value": 1, "limit": 0}]
    assert code == 3


def test_report_passes_when_every_staff_member_has_2fa(seeded, staff_user, settings):
    enrol_device(staff_user)
    data, code = report()
    assert data["thresholds_failed"] == [] and code == 0


def test_overview_page_shows_the_figures(seeded):
    client = pipeline_login(Client(), seeded)
    page = client.get(reverse("admin:secure_shopadmin_securityoverview_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-key="staff_without_2fa" class="ssa-failed"' in html
    assert "Unsalted MD5 (md5): 2" in html and "legacy_md5" not in html
    assert client.get(reverse("admin:secure_shopadmin_securityoverview_add")).status_code == 403


def test_overview_needs_the_view_permission(staff_user):
    client = pipeline_login(Client(), staff_user)
    assert client.get(reverse("admin:secure_shopadmin_securityoverview_changelist")).status_code == 403


def test_lockouts_failures_and_resets_are_counted(seeded, member):
    from secure_shopadmin.resets.services import require_reset

    for _ in range(5):
        Client().post(reverse("shop:login"), {"username": "member0001", "password": "wrong"})
    require_reset([member.pk], reason="breach")
    data, _code = report()
    figures = data["figures"]
    assert sum(figures["active_lockouts"].values()) >= 1
    assert figures["pending_resets"] == {"compromised": 1}
    assert figures["unfamiliar_logins_7d"] == 0
    client = pipeline_login(Client(), seeded)
    html = client.get(reverse("admin:secure_shopadmin_securityoverview_changelist")).content.decode()
    assert "<svg" in html and "<title>" in html and ": 5</title>" in html  # today's 5 failures in the chart


def test_text_report_and_user_filter_use_the_same_scheme_labels(seeded):
    out = StringIO()
    try:
        call_command("security_report", stdout=out, stderr=StringIO())
    except SystemExit:
        pass
    assert "    Unsalted MD5 (md5): 2" in out.getvalue() and "    No usable password (!): 1" in out.getvalue()
    client = pipeline_login(Client(), seeded)
    changelist = reverse("admin:auth_user_changelist")
    html = client.get(changelist).content.decode()
    assert "password hash scheme" in html and "Unsalted MD5 (md5)" in html
    page = client.get(changelist, {"hash_scheme": "md5"})
    assert sorted(u.username for u in page.context["cl"].result_list) == ["old0", "old1"]
