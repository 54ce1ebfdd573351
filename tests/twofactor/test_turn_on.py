"""A member's 2FA page with nothing set up: it says 2FA is off, why to turn it on, and offers an app or a passkey."""

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from secure_shopadmin.core.steps import Channel
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor.models import RecoveryCode

from .softkey import SoftAuthenticator

pytestmark = pytest.mark.django_db
SITE = "https://shop.example"
MANAGE = reverse("secure_shopadmin:twofactor_manage")
ADD_APP = reverse("secure_shopadmin:twofactor_add_app")


@pytest.fixture
def member_client(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}
    return pipeline_login(Client(), member, channel=Channel.STOREFRONT)  # as after a password login: fresh


def test_nothing_set_up_says_two_factor_is_off_and_offers_both_ways(member_client):
    html = member_client.get(MANAGE).content.decode()
    assert 'id="two-factor-off"' in html and "Two-factor authentication is off." in html
    assert "your password alone no longer logs in" in html
    assert 'id="add-app"' in html and f'href="{ADD_APP}"' in html
    assert 'data-passkey-ceremony="create"' in html and 'value="add_sign_in_passkey"' in html
    for gone in ("recovery codes left", "recovery code left", 'id="remove-authenticator"', 'id="regenerate-codes"',
                 "Remembered browsers"):
        assert gone not in html


def test_turning_it_on_with_an_app_shows_the_first_recovery_codes(member_client, member):
    page = member_client.get(ADD_APP)
    totp = pyotp.TOTP(page.context["key"].replace(" ", ""))
    answer = member_client.post(ADD_APP, {"otp_token": totp.now()})
    assert answer.status_code == 200 and len(answer.context["codes"]) == 10
    assert 'id="codes-saved-form"' in answer.content.decode()
    assert RecoveryCode.objects.filter(code_set__user=member).count() == 10
    html = member_client.get(MANAGE).content.decode()
    assert 'id="two-factor-off"' not in html and "10 recovery codes left." in html
    assert 'id="remove-authenticator"' in html


def test_turning_it_on_with_a_passkey_shows_the_first_recovery_codes(member_client, member):
    page = member_client.get(MANAGE)
    answer = member_client.post(MANAGE, {"action": "add_passkey", "passkey_name": "Phone",
                                         "passkey_answer": SoftAuthenticator(SITE).create(
                                             page.context["passkey_options"])})
    assert answer.status_code == 200 and len(answer.context["codes"]) == 10
    second = member_client.post(MANAGE, {"action": "add_passkey", "passkey_name": "Spare",
                                         "passkey_answer": SoftAuthenticator(SITE).create(
                                             member_client.get(MANAGE).context["passkey_options"])})
    assert second.status_code == 302 and second.url == MANAGE  # a further key: no new codes
    assert RecoveryCode.objects.filter(code_set__user=member).count() == 10
