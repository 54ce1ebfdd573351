import hashlib
import hmac
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.hashers import from_legacy
from secure_shopadmin.hashers.importing import apply, plan, read_members
from secure_shopadmin.hashers.wrapped import Argon2Params, wrap

from .conftest import AUTH_MAGIC

pytestmark = pytest.mark.django_db
User = get_user_model()


def md5_salted(password, salt):
    return hashlib.md5((salt + password).encode()).hexdigest()


def write_csv(tmp_path, text):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_legacy_users", *args, stdout=out, stderr=err)
    finally:
        run.err = err.getvalue()
    return out.getvalue()


GOOD = (
    "username,email,hash,salt,first_name,last_name\n"
    f"hanako,hanako@example.jp,{md5_salted('hanako pw', 'a1')},a1,花子,山田\n"
    f"taro,taro@example.jp,{md5_salted('taro pw', 'b2')}:b2,,Taro,\n"
)


def test_imports_members_who_then_log_in_with_their_old_password(tmp_path):
    out = run(write_csv(tmp_path, GOOD), "--scheme", "md5_salted", "--reason", "move from osCommerce")
    assert "Created 2 users" in out
    event = SecurityEvent.objects.get(kind=EventKind.LEGACY_IMPORT)
    assert event.reason == "move from osCommerce"
    assert event.details == {"scheme": "md5_salted", "file": "export.csv", "created": 2, "updated": 0,
                             "changed_meanwhile": 0, "skipped": 0}
    hanako = User.objects.get(username="hanako")
    assert (hanako.email, hanako.first_name, hanako.last_name) == ("hanako@example.jp", "花子", "山田")
    assert hanako.password == f"md5_salted${md5_salted('hanako pw', 'a1')}:a1"
    assert hanako.check_password("hanako pw")
    assert User.objects.get(username="hanako").password.startswith("argon2$argon2id$")
    assert User.objects.get(username="taro").check_password("taro pw")


def test_any_bad_row_is_reported_by_line_and_nothing_is_imported(tmp_path):
    text = GOOD + (
        "broken,broken@example.jp,not-a-hash,x,,\n"
        "badmail,not-an-email,{0},c3,,\n"
        "hanako,again@example.jp,{0},c3,,\n"
    ).format(md5_salted("x", "c3"))
    with pytest.raises(CommandError, match="3 rows have errors; nothing was imported"):
        run(write_csv(tmp_path, text), "--scheme", "md5_salted")
    assert "line 4: md5_salted: expected 32 hexadecimal characters" in run.err
    assert "line 5: email:" in run.err
    assert "line 6: username 'hanako' repeats line 2" in run.err
    assert not User.objects.filter(username__in=["hanako", "taro"]).exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.LEGACY_IMPORT).exists()


def test_dry_run_checks_and_writes_nothing(tmp_path):
    out = run(write_csv(tmp_path, GOOD), "--scheme", "md5_salted", "--dry-run")
    assert "2 to create" in out and "nothing was written" in out
    assert not User.objects.filter(username="hanako").exists()


def test_existing_users_are_skipped_by_default(tmp_path):
    User.objects.create(username="hanako", password=make_password("new site pw"))
    out = run(write_csv(tmp_path, GOOD), "--scheme", "md5_salted")
    assert "1 existing users skipped" in out and "Created 1 users" in out
    assert User.objects.get(username="hanako").check_password("new site pw")


@pytest.mark.parametrize(("current", "replaced"), [
    (make_password("changed on the new site"), False),
    (make_password(None), True),
    (from_legacy("md5", hashlib.md5(b"older").hexdigest()), True),
    (wrap(from_legacy("md5", hashlib.md5(b"older").hexdigest()), Argon2Params(1, 64, 1)), True),
])
def test_update_replaces_only_a_password_still_legacy_wrapped_or_unusable(tmp_path, current, replaced):
    User.objects.create(username="hanako", password=current)
    run(write_csv(tmp_path, GOOD), "--scheme", "md5_salted", "--update")
    stored = User.objects.get(username="hanako").password
    assert (stored == f"md5_salted${md5_salted('hanako pw', 'a1')}:a1") is replaced
    assert (stored == current) is not replaced


@pytest.mark.parametrize("flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_update_never_touches_a_staff_or_superuser_account(tmp_path, flags):
    legacy = from_legacy("md5", hashlib.md5(b"older").hexdigest())
    User.objects.create(username="hanako", password="!unusable", **flags)
    User.objects.create(username="taro", password=legacy)
    out = run(write_csv(tmp_path, GOOD), "--scheme", "md5_salted", "--update")
    assert "line 2: hanako is a staff or superuser account" in run.err
    assert "updated 1" in out
    assert User.objects.get(username="hanako").password == "!unusable"
    assert User.objects.get(username="taro").check_password("taro pw")
    summary = SecurityEvent.objects.get(kind=EventKind.LEGACY_IMPORT, target__isnull=True)
    assert summary.details["refused_privileged"] == ["hanako"]
    per_account = SecurityEvent.objects.get(kind=EventKind.LEGACY_IMPORT, target__isnull=False)
    assert per_account.target_username == "taro" and per_account.details["step"] == "password_replaced"


def test_an_account_made_staff_between_the_check_and_the_write_is_left_alone():
    legacy = from_legacy("md5", hashlib.md5(b"older").hexdigest())
    hanako = User.objects.create(username="hanako", password=legacy)
    members, errors = read_members(io.StringIO(GOOD), "md5_salted")
    import_plan = plan(members, errors, update=True)
    User.objects.filter(pk=hanako.pk).update(is_superuser=True)
    result = apply(import_plan)
    assert result.updated == 0 and User.objects.get(pk=hanako.pk).password == legacy


def test_schemes_with_a_pepper_need_it_before_any_row(tmp_path, settings):
    settings.SECURE_SHOPADMIN = {}
    with pytest.raises(CommandError, match=r'LEGACY_PEPPERS"\]\["eccube"\]'):
        run(write_csv(tmp_path, GOOD), "--scheme", "eccube")


def test_eccube_export_with_salt_column(tmp_path, peppers):
    digest = hmac.new(b"s4lt", f"pw:{AUTH_MAGIC}".encode(), hashlib.sha256).hexdigest()
    run(write_csv(tmp_path, f"username,email,hash,salt\nichiro,,{digest},s4lt\n"), "--scheme", "eccube")
    assert User.objects.get(username="ichiro").check_password("pw")


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="lacks the columns: hash"):
        run(write_csv(tmp_path, "username,email,password\nx,x@example.jp,abc\n"), "--scheme", "md5")


def test_a_database_error_while_writing_leaves_nothing_half_imported():
    members, errors = read_members(io.StringIO(GOOD), "md5_salted")
    import_plan = plan(members, errors)
    User.objects.create(username="taro")  # appears between the check and the write
    with pytest.raises(IntegrityError):
        apply(import_plan)
    assert not User.objects.filter(username="hanako").exists()
