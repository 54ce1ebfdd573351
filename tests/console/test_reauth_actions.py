"""The fresh code before an admin action is decided on the action Django chose, however it is posted."""

import django
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from secure_shopadmin.console import reauth

from .conftest import reauth_blob

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = "/admin/auth/user/"


@pytest.mark.parametrize("index", ["-1", "1", "7", "-2"])
def test_any_index_that_makes_django_run_a_protected_action_asks_for_the_code(
        owner_client, owner_totp, staff_user, stale, index):
    data = {"action": ["", "delete_selected"], "index": index, ACTION_CHECKBOX_NAME: [staff_user.pk], "post": "yes"}
    response = owner_client.post(CHANGELIST, data)
    if index == "-2":  # Django takes the blank choice: "No action selected", nothing runs
        assert response.status_code in (200, 302) and User.objects.filter(pk=staff_user.pk).exists()
        return
    blob = reauth_blob(response)
    assert User.objects.filter(pk=staff_user.pk).exists()
    done = owner_client.post(CHANGELIST, {reauth.FIELD: blob, "otp_token": owner_totp.now()})
    assert done.status_code == 302
    assert not User.objects.filter(pk=staff_user.pk).exists()  # the very action chosen, once


@pytest.mark.skipif(django.VERSION < (6, 1), reason="change-form actions are new in Django 6.1")
def test_a_protected_change_form_action_asks_for_the_code(owner_client, owner_totp, stale, monkeypatch):
    from django.contrib import admin
    from django.contrib.admin.options import ActionLocation

    from shop.models import Product

    @admin.action(description="Discontinue", location=[ActionLocation.CHANGE_FORM, ActionLocation.CHANGE_LIST])
    def discontinue(modeladmin, request, queryset):
        queryset.delete()

    product_admin = admin.site._registry[Product]
    monkeypatch.setattr(product_admin, "actions", [discontinue])
    monkeypatch.setattr(product_admin, "fresh_code_actions", ("discontinue",))
    product = Product.objects.create(sku="P1", name="Tea", price=500)
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = {"CHANGE_FORM-action": "discontinue", ACTION_CHECKBOX_NAME: [product.pk], "index": "0"}
    blob = reauth_blob(owner_client.post(url, data))
    assert Product.objects.filter(pk=product.pk).exists()
    assert owner_client.post(url, {reauth.FIELD: blob, "otp_token": owner_totp.now()}).status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
