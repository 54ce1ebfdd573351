"""What staff see: the user's admin page and the login record show place, network owner and risk;
the Security overview counts risk codes and blocks by reason over 7 days."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.alerts.models import LoginOutcome, LoginRecord
from secure_shopadmin.testing import pipeline_login

from ..alerts.conftest import FIREFOX_LINUX, OTHER_IP, browser
from ..conftest import MEMBER_PASSWORD, enrol_device
from .conftest import mailed_code


@pytest.fixture
def owner(superuser):
    enrol_device(superuser)
    return pipeline_login(Client(), superuser)


def attack(member, capture):
    client = browser(FIREFOX_LINUX, OTHER_IP)
    with capture(execute=True):
        client.post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    return client


def test_admin_pages_show_place_network_and_risk(member, geo, login, owner, django_capture_on_commit_callbacks):
    login(browser(), member)
    attack(member, django_capture_on_commit_callbacks)
    page = owner.get(reverse("admin:auth_user_change", args=[member.pk])).content.decode()
    assert "Osaka, Japan · Example Net (AS64500)" in page
    assert "Frankfurt am Main, Germany · Foreign Hosting (AS64510)" in page and "new_country" in page
    challenged = LoginRecord.objects.get(outcome=LoginOutcome.CHALLENGED)
    detail = owner.get(reverse("admin:secure_shopadmin_loginrecord_change", args=[challenged.pk])).content.decode()
    assert "new country" in detail and "Foreign Hosting (AS64510)" in detail


def test_overview_counts_codes_and_blocks_by_reason(member, geo, login, owner, settings,
                                                    django_capture_on_commit_callbacks):
    login(browser(), member)
    failing = attack(member, django_capture_on_commit_callbacks)
    failing.post(reverse("secure_shopadmin:risk_code"), {"code": "ABCDE-FGHJK"})
    default_policy = settings.SECURE_SHOPADMIN
    settings.SECURE_SHOPADMIN = {**default_policy, "RISK_POLICY": {"storefront": {"high": "block"}}}
    attack(member, django_capture_on_commit_callbacks)
    settings.SECURE_SHOPADMIN = default_policy
    passed = attack(member, django_capture_on_commit_callbacks)
    passed.post(reverse("secure_shopadmin:risk_code"), {"code": mailed_code(member)[0]})
    mail.outbox.clear()
    page = owner.get(reverse("admin:secure_shopadmin_securityoverview_changelist"))
    figures = {figure.key: figure for figure in page.context["figures"]}
    assert figures["risk_codes_issued_7d"].breakdown["new_country"] == 2
    assert figures["risk_codes_passed_7d"].breakdown == {"new_device": 1, "new_country": 1, "new_network": 1,
                                                         "new_prefix": 1, "impossible_travel": 1}
    assert figures["risk_codes_failed_7d"].breakdown["new_country"] == 1
    assert figures["risk_blocks_7d"].breakdown["new_country"] == 1
    assert "new country: 2" in page.content.decode()
