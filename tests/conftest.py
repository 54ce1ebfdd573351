import pytest
from django.contrib.auth import get_user_model

STAFF_PASSWORD = "correct horse battery staple"
MEMBER_PASSWORD = "member password 123"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "clerk", "clerk@shop.example", STAFF_PASSWORD, is_staff=True,
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("owner", "owner@shop.example", STAFF_PASSWORD)


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user("member0001", "m1@members.example", MEMBER_PASSWORD)
