"""Members behind one shared address (an office, a carrier-grade NAT, a shop's terminal): a right password
is not a failure of the address. Its slot is reserved before hashing and given back, never the counter reset.

Every test runs twice: counters in database rows, and in the shared cache (Redis)."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from ..conftest import MEMBER_PASSWORD
from .conftest import attempt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor", "store")]
OFFICE = "198.51.100.80"
LOGIN = reverse("shop:login")


def members(count):
    users = get_user_model().objects
    return [users.create_user(f"office{n:02d}", f"office{n:02d}@members.example", MEMBER_PASSWORD)
            for n in range(count)]


def log_in(username, password=MEMBER_PASSWORD):
    client = Client()
    response = attempt(username, password, client=client, ip_address=OFFICE, url=LOGIN)
    return response, SESSION_KEY in client.session


def refused(response):
    return response.status_code == 429 and int(response["Retry-After"]) > 0


def test_thirty_members_from_one_address_all_get_in(frozen):
    for member in members(30):
        response, logged_in = log_in(member.username)
        assert response.status_code == 302 and logged_in, member.username


def test_twenty_wrong_passwords_for_different_usernames_from_one_address_are_still_refused(frozen):
    members(1)
    for n in range(19):
        assert log_in(f"guess{n}", "wrong")[0].status_code == 200
    assert refused(log_in("guess19", "wrong")[0])  # the 20th failure locks the address
    assert refused(log_in("office00")[0])  # and it refuses a right password too, before any hash


def test_an_attackers_own_right_password_does_not_clear_his_budget(frozen):
    (own,) = members(1)
    for n in range(19):
        assert log_in(f"guess{n}", "wrong")[0].status_code == 200
    assert log_in(own.username)[1]  # his own account gets in: its slot is given back, nothing is reset
    assert refused(log_in("guess19", "wrong")[0])  # so the 20th failure still locks the address
    assert refused(log_in("guess20", "wrong")[0])
