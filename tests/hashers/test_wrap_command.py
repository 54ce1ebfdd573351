"""wrap_legacy_hashes in this process, on the test database."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management import call_command
from django.test import RequestFactory

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.wrapped import default_params
from secure_shopadmin.hashers.wrapping import wrap_all

pytestmark = pytest.mark.django_db
User = get_user_model()


def add_users(prefix, scheme, count, **options):
    password_of = {}
    for number in range(count):
        username = f"{prefix}{number:03d}"
        password = f"old password {username}"
        User.objects.create(username=username, password=make_legacy_password(scheme, password, **options))
        password_of[username] = password
    return password_of


def passwords():
    return dict(User.objects.values_list("username", "password"))


def wrap(*args):
    out = io.StringIO()
    call_command("wrap_legacy_hashes", "--noinput", "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def shop(peppers):
    """Members from three old platforms, a slow bcrypt group, an argon2 member, an unusable and a broken one."""
    password_of = {
        **add_users("md5-", "md5", 7),
        **add_users("pa-", "phpass", 3),
        **add_users("ec-", "eccube", 4),
        **add_users("bc-", "bcrypt_php", 2, bcrypt_cost=4),
    }
    User.objects.create(username="modern", password=make_password("modern pw"))
    User.objects.create(username="unusable", password=make_password(None))
    User.objects.create(username="broken", password="legacy_md5$not-hex")
    return password_of


def test_dry_run_counts_each_scheme_and_writes_nothing(shop):
    before = passwords()
    out = wrap("--dry-run")
    assert passwords() == before
    rows = {tuple(part.strip() for part in line.split("  ") if part.strip()) for line in out.splitlines()[1:]}
    assert ("Unsalted MD5 (md5)", "7", "to wrap") in rows
    assert ("phpass portable hash, WordPress / phpBB (phpass)", "3", "to wrap") in rows
    assert ("EC-CUBE 2.11+ HMAC-SHA256 (eccube)", "4", "to wrap") in rows
    assert ("PHP password_hash() bcrypt (bcrypt_php)", "2", "slow, kept; upgraded at the next login") in rows
    assert ("Unsalted MD5 (md5)", "1", "malformed, left alone") in rows


def test_wrap_then_every_member_logs_in_with_the_old_password(shop):
    before = passwords()
    out = wrap("--reason", "breach response")
    assert "logged out" in out and "Wrapped 14 users" in out
    after = passwords()
    for username, password in shop.items():
        if username.startswith("bc-"):
            assert after[username] == before[username]
        else:
            assert after[username].startswith("argon2w$")
        assert check_password(password, after[username])
    for untouched in ("modern", "unusable", "broken"):
        assert after[untouched] == before[untouched]
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.20")
    assert authenticate(request, username="pa-001", password=shop["pa-001"]).username == "pa-001"
    assert passwords()["pa-001"].startswith("argon2$argon2id$")
    event = SecurityEvent.objects.get(kind=EventKind.HASH_WRAP)
    assert event.reason == "breach response"
    assert event.details["wrapped"] == {"md5": 7, "phpass": 3, "eccube": 4}
    assert event.details["kept_slow"] == {"bcrypt_php": 2} and event.details["malformed"] == {"md5": 1}
    assert not any(before[name].split("$", 1)[1][:20] in str(event.details) for name in shop)


def test_a_second_run_changes_nothing(shop):
    wrap()
    first = passwords()
    out = wrap()
    assert passwords() == first
    assert "Nothing to wrap" in out


def test_parallel_workers_wrap_the_same(shop):
    wrap("--workers", "2", "--batch-size", "5")
    after = passwords()
    assert sum(value.startswith("argon2w$") for value in after.values()) == 14
    assert all(check_password(password, after[username]) for username, password in shop.items())


def test_a_login_between_read_and_write_is_never_overwritten(shop):
    def member_logs_in(chunk):
        user = User.objects.get(pk=chunk[0].pk)
        assert user.check_password(shop[user.username])  # upgrades to argon2id now

    report = wrap_all(default_params(), batch_size=4, before_write=member_logs_in)
    upgraded = [u for u, value in passwords().items() if u in shop and value.startswith("argon2$argon2id$")]
    assert report.changed_meanwhile == len(upgraded) > 0
    for username, password in shop.items():
        assert check_password(password, passwords()[username])


def test_a_login_with_a_value_read_before_the_wrap_still_works(shop):
    stale = User.objects.get(username="md5-000")
    wrap()
    assert stale.check_password(shop["md5-000"])
    assert passwords()["md5-000"].startswith("argon2$argon2id$")
