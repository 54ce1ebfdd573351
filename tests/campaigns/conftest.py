import hashlib

import pytest
from django.contrib.auth import get_user_model

from secure_shopadmin.campaigns import services

User = get_user_model()
CHEAP_WRAP = (1, 256, 1)


def legacy_md5(password):
    return "legacy_md5$" + hashlib.md5(password.encode()).hexdigest()


def old_password(i):
    return f"old password {i}"


def seed_members(count, start=0, prefix="member"):
    """Members with one fast legacy md5 hash each (the leaked kind); returns them."""
    return User.objects.bulk_create([
        User(username=f"{prefix}{i:06d}", email=f"{prefix}{i:06d}@members.example",
             password=legacy_md5(old_password(i)))
        for i in range(start, start + count)
    ], batch_size=2000)


def give_sessions(users):
    """A live db session for each user, recorded as the pipeline records it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from secure_shopadmin.core.sessions import record_key

    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        record_key(store.session_key, user, "storefront")


@pytest.fixture
def cheap_wrap(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "WRAP_ARGON2_PARAMS": CHEAP_WRAP}


@pytest.fixture
def campaign(db, superuser):
    return services.create("2024-05 police notice", description="member records leaked", reason="breach",
                           actor=superuser)


def upload(campaign, lines, actor=None):
    from secure_shopadmin.campaigns import targets

    return targets.add_upload(campaign, [line.encode() + b"\n" for line in lines], label="leaked.txt", actor=actor)
