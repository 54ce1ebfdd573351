"""Matching an operator's list to users: usernames exactly, addresses case-insensitively, an address
shared by several users ambiguous — the same answer for a short list and for a long one."""

import pytest
from django.contrib.auth import get_user_model

from secure_shopadmin.campaigns import userlist

User = get_user_model()


@pytest.fixture
def people(db):
    User.objects.bulk_create([User(username=f"u{i}", email=f"U{i}@Shop.example") for i in range(30)])
    User.objects.bulk_create([User(username="twin1", email="twins@shop.example"),
                              User(username="twin2", email="TWINS@shop.example")])
    return {u.username: u.pk for u in User.objects.all()}


@pytest.mark.parametrize("chunk", [1000, 4], ids=["short list", "long list"])
def test_usernames_and_addresses_resolve_alike_for_short_and_long_lists(people, monkeypatch, chunk):
    monkeypatch.setattr(userlist, "LOOKUP_CHUNK", chunk)
    entries = ["u1", "u2@shop.EXAMPLE", *[f"u{i}@shop.example" for i in range(10, 20)], "twins@shop.example",
               "nobody@shop.example", "U3"]
    pks, unknown, ambiguous = userlist.resolve(entries)
    assert pks == sorted(people[f"u{i}"] for i in [1, 2, *range(10, 20)])
    assert unknown == ["nobody@shop.example", "U3"]  # usernames are exact
    assert ambiguous == ["twins@shop.example"]


def test_an_empty_list_resolves_to_nothing(people):
    assert userlist.resolve([]) == ([], [], [])
