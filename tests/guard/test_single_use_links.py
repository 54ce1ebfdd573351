"""Every mailed link works once, whatever state the account is in later: an e-mail change link stays
spent after the address is changed back (A → B → A)."""

import re

import pytest
from django.core import mail
from django.test import Client

from secure_shopadmin.resets import services
from secure_shopadmin.resets.models import EmailChangeLink
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD

pytestmark = pytest.mark.django_db
URL = "/security/account/email/"
CONFIRM_RE = re.compile(r"https?://[^/\s]+(/security/account/email/confirm/([^/\s]+)/)")


def ask(client, address):
    assert client.post(URL, {"email": address, "password": MEMBER_PASSWORD}).status_code == 302
    return CONFIRM_RE.search(mail.outbox[-1].body).groups()


def test_a_confirmation_link_stays_spent_after_the_address_returns(member):
    client = pipeline_login(Client(), member, channel="storefront")
    to_b, _token = ask(client, "b@members.example")
    assert Client().post(to_b).status_code == 200
    member.refresh_from_db()
    assert member.email == "b@members.example"
    back_to_a, _token = ask(client, "m1@members.example")
    assert Client().post(back_to_a).status_code == 200
    member.refresh_from_db()
    assert member.email == "m1@members.example"
    again = Client().post(to_b)  # A → B → A: the first link must not work again
    assert again.status_code == 404
    assert Client().get(to_b).status_code == 404
    member.refresh_from_db()
    assert member.email == "m1@members.example"


def test_two_links_each_work_once_and_only_the_token_digest_is_stored(member):
    client = pipeline_login(Client(), member, channel="storefront")
    first, first_token = ask(client, "one@members.example")
    second, second_token = ask(client, "two@members.example")
    assert Client().post(second).status_code == 200
    assert Client().post(second).status_code == 404
    assert Client().post(first).status_code == 200  # a different link, not yet spent
    member.refresh_from_db()
    assert member.email == "one@members.example"
    stored = list(EmailChangeLink.objects.values_list("token_digest", flat=True))
    assert first_token not in stored and second_token not in stored and len(stored) == 2


def test_a_frozen_address_leaves_the_link_unspent(member):
    client = pipeline_login(Client(), member, channel="storefront")
    link, _token = ask(client, "b@members.example")
    requirement = services.require_reset([member.pk], mode="compromised", reason="x", notify=False)
    assert Client().post(link).status_code in (403, 404)
    member.refresh_from_db()
    assert member.email == "m1@members.example"
    assert requirement is not None
