"""The Security overview counts what its labels say: alerts mailed for unfamiliar environments, and
apart from them the environments learned without an alert (first logins above all)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from secure_shopadmin.overview import collect
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD
from .conftest import FIREFOX_LINUX, OTHER_IP, SAFARI_IPHONE, THIRD_IP, alert_mails, browser

pytestmark = pytest.mark.django_db


def overview_figures():
    return {figure.key: figure for figure in collect()}


def test_first_logins_are_not_counted_as_alerts(known_member, login, superuser):
    for n in (2, 3):  # two more members' first-ever logins: learned silently, no mail
        member = get_user_model().objects.create_user(f"member000{n}", f"m{n}@members.example", MEMBER_PASSWORD)
        login(browser(), member)
    for user_agent, ip in ((FIREFOX_LINUX, OTHER_IP), (SAFARI_IPHONE, THIRD_IP), (FIREFOX_LINUX, THIRD_IP)):
        login(browser(user_agent, ip), known_member)
    assert len(alert_mails(known_member)) == 3

    figures = overview_figures()
    assert figures["unfamiliar_logins_7d"].value == 3
    assert figures["unalerted_new_environments_7d"].breakdown == {"first_login": 3}  # the fixture's, and two

    client = pipeline_login(Client(), superuser)
    page = client.get(reverse("admin:secure_shopadmin_securityoverview_changelist")).content.decode()
    assert "First recorded login, learned silently: 3" in page
    changelist = client.get(reverse("admin:secure_shopadmin_loginrecord_changelist") + "?alert__exact=sent")
    assert changelist.context["cl"].result_count == 3
