"""A user's admin page lists their passkeys (name, added, last used)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

pytestmark = pytest.mark.django_db


def add_passkey(user, name, **fields):
    return PasskeyDevice.objects.create(user=user, name=name, credential_id=name, credential_digest=name.ljust(64, "0"),
                                        public_key=b"\xa0", **fields)


def change_page(owner, user):
    return pipeline_login(Client(), owner).get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()


def test_the_user_page_lists_passkeys_with_dates(superuser, staff_user, settings):
    add_passkey(staff_user, "Desk YubiKey", last_used_at=timezone.now())
    add_passkey(staff_user, "Laptop")
    add_passkey(superuser, "Owner's key")
    page = change_page(superuser, staff_user)
    assert "Passkeys and security keys" in page
    table = page[page.index('id="ssa-passkeys"'):]
    table = table[:table.index("</table>")]
    assert "Desk YubiKey" in table and "Laptop" in table and "never" in table and "Owner&#x27;s key" not in table
    assert "Must verify with a passkey" not in page


def test_the_user_page_says_when_a_passkey_is_required(superuser, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": {"staff": True}}
    page = change_page(superuser, staff_user)
    assert "Must verify with a passkey" in page and "None registered yet." in page
