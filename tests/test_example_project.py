"""The example shop console: seeding, the storefront pages and the demo logins."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shop.models import Order, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_shop_and_is_idempotent(settings):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    users = get_user_model().objects
    assert users.filter(is_staff=False).count() >= 1000
    assert set(users.filter(is_staff=True).values_list("username", flat=True)) == {"owner", "clerk"}
    assert users.get(username="clerk").groups.filter(name="clerk").exists()
    assert Product.objects.count() == 50 and Order.objects.exists()
    text = out.getvalue()
    assert "owner / owner-demo-pass-2024" in text and "/security/2fa/link/" in text
    call_command("seed_demo", stdout=StringIO())
    assert users.filter(username="owner").count() == 1


def test_members_hold_a_mix_of_legacy_hashes_that_upgrade_at_login(client):
    from secure_shopadmin.hashers.overview import scheme_counts

    call_command("seed_demo", members=200, stdout=StringIO())
    counts = scheme_counts()
    assert {"md5_salted", "eccube", "phpass", "md5", "bcrypt_php", "magento2", "argon2"} <= set(counts)
    member = get_user_model().objects.filter(password__startswith="eccube$").first()
    response = client.post(reverse("shop:login"), {"username": member.username, "password": "member-demo-pass"})
    assert response.url == reverse("shop:account")
    member.refresh_from_db()
    assert member.password.startswith("argon2$")


def test_storefront_pages_and_member_login(client):
    call_command("seed_demo", members=5, stdout=StringIO())
    assert client.get(reverse("shop:home")).status_code == 200
    assert client.get(reverse("shop:account")).url.startswith(reverse("shop:login"))
    response = client.post(reverse("shop:login"), {"username": "member0001", "password": "member-demo-pass"})
    assert response.url == reverse("shop:account")
    assert "member0001" in client.get(reverse("shop:account")).content.decode()


def test_clerk_sees_products_but_not_users():
    from secure_shopadmin.testing import pipeline_login

    call_command("seed_demo", members=5, stdout=StringIO())
    client = pipeline_login(Client(), get_user_model().objects.get(username="clerk"))
    assert client.get("/admin/shop/product/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
