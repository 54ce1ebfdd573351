"""import_legacy_users --platform NAME: each platform's own export (tests/hashers/exports/, made by
generate.py there with each platform's formula) imported end to end; its members then log in."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.hashers.presets import PRESETS

EXPORTS = Path(__file__).resolve().parent / "exports"
User = get_user_model()
pytestmark = pytest.mark.django_db

#: preset -> ({username: (password, scheme)}, rows passed over)
MEMBERS = {
    "eccube2": ({"hanako@example.jp": ("花子のパスワード", "eccube"),
                 "taro@example.jp": ("taro-pw-2009", "eccube_sha1")}, 1),
    "eccube4": ({"misaki@example.jp": ("Misaki 4.2!", "eccube"), "ken@example.jp": ("ken pw", "eccube")}, 1),
    "woocommerce": ({"shopadmin": ("admin", "wordpress_bcrypt"), "olivia": ("test12345", "phpass"),
                     "noah": ("noah's old pw", "md5"), "emma": ("emma bcrypt", "bcrypt_php")}, 0),
    "magento2": ({"roni_cost@example.com": ("Password@2022", "magento2"),
                  "liam@m2.example": ("liam sha256", "magento2"),
                  "ava@m1.example": ("ava from magento 1", "md5_salted")}, 0),
    "prestashop": ({"pub@prestashop.com": ("john 1.6 pw", "prestashop"), "marie@ps.example": ("marie 1.7 pw",
                                                                                            "bcrypt_php")}, 2),
    "opencart": ({"sven@oc.example": ("sven&co", "opencart"), "ines@oc.example": ("ines 1.5", "md5"),
                  "omar@oc.example": ("omar oc4", "bcrypt_php")}, 0),
    "drupal7": ({"lena": ("lena d7 pw", "drupal7"), "piet": ("piet from d6", "drupal7"),
                 "jrr": ("JohnRipper", "phpass")}, 1),
    "shopware5": ({"jonas@sw.example": ("jonas bcrypt", "bcrypt_php"), "lukas@sw.example": ("lukas sha256",
                                                                                          "shopware5_sha256"),
                   "lea@sw.example": ("lea md5", "md5"), "mia@sw.example": ("mia backend", "shopware5_md5"),
                   "finn@sw.example": ("finn argon2", "argon2")}, 1),
}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_legacy_users", *args, stdout=out, stderr=err)
    finally:
        run.err = err.getvalue()
    return out.getvalue()


def login(username, password):
    return authenticate(RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.40"), username=username,
                        password=password)


def test_every_preset_has_an_export_here():
    assert set(MEMBERS) == set(PRESETS) == {path.stem for path in EXPORTS.glob("*.csv")}


@pytest.mark.parametrize("platform", sorted(MEMBERS))
def test_a_platforms_export_is_imported_as_it_comes_and_its_members_log_in(platform, peppers):
    members, passed_over = MEMBERS[platform]
    out = run("--platform", platform, str(EXPORTS / f"{platform}.csv"), "--reason", f"leaving {platform}")
    assert f"Created {len(members)} users" in out
    event = SecurityEvent.objects.get(kind=EventKind.LEGACY_IMPORT)
    assert event.details["platform"] == platform and event.details["passed_over"] == passed_over
    expected_schemes = {}
    for _password, scheme in members.values():
        expected_schemes[scheme] = expected_schemes.get(scheme, 0) + 1
    assert event.details["schemes"] == expected_schemes
    assert User.objects.count() == len(members)
    for username, (password, scheme) in members.items():
        stored = User.objects.get(username=username).password
        assert stored.split("$", 1)[0] == PRESET_ALGORITHMS.get(scheme, scheme), username
        assert login(username, password + "?") is None
        assert login(username, password).get_username() == username
        assert User.objects.get(username=username).password.startswith("argon2$argon2id$")


PRESET_ALGORITHMS = {"md5": "legacy_md5", "argon2": "argon2"}


def test_eccube2s_shift_jis_export_keeps_the_japanese_names(peppers):
    run("--platform", "eccube2", str(EXPORTS / "eccube2.csv"))
    taro = User.objects.get(username="taro@example.jp")
    assert (taro.last_name, taro.first_name, taro.email) == ("髙橋", "太郎", "taro@example.jp")
    assert not User.objects.filter(username="ichiro@example.jp").exists()  # del_flg = 1


def test_eccube_with_auth_type_plain_hashes_the_clear_passwords_and_keeps_none(tmp_path, peppers):
    export = tmp_path / "plain.csv"
    export.write_bytes("email,password,salt,name01,name02,del_flg\n"
                       "sato@example.jp,平文のパスワード1,,佐藤,次郎,0\n"
                       "ito@example.jp,clear pw 2,,伊藤,三郎,0\n".encode("cp932"))
    out = run("--platform", "eccube2", "--scheme", "plaintext", str(export), "--workers", "2")
    assert "2 clear passwords hashed with argon2id (2.19456.1); none was kept." in out
    assert "平文" not in out + run.err and "clear pw 2" not in out + run.err
    event = SecurityEvent.objects.get(kind=EventKind.LEGACY_IMPORT)
    assert event.details["plaintext"] == 2 and "clear pw" not in str(event.details)
    stored = User.objects.get(username="ito@example.jp").password
    assert stored.startswith("argon2w$plaintext$2.19456.1$") and "clear pw" not in stored
    assert login("ito@example.jp", "clear pw 3") is None
    assert login("ito@example.jp", "clear pw 2").get_username() == "ito@example.jp"
    assert User.objects.get(username="ito@example.jp").password.startswith("argon2$argon2id$")
    assert login("sato@example.jp", "平文のパスワード1") is not None


def test_a_dry_run_of_clear_passwords_hashes_and_writes_nothing(tmp_path):
    export = tmp_path / "plain.csv"
    export.write_text("username,email,hash\nclear,,secret one\n")
    out = run("--scheme", "plaintext", str(export), "--dry-run")
    assert "1 to create" in out and "Schemes: plaintext 1." in out and "nothing was written" in out
    assert not User.objects.exists()


def test_an_empty_clear_password_is_an_error_of_its_line(tmp_path):
    export = tmp_path / "plain.csv"
    export.write_text("username,email,hash\nok,,secret\nempty,,\n")
    with pytest.raises(CommandError, match="1 rows have errors"):
        run("--scheme", "plaintext", str(export))
    assert "line 3: the clear password is empty" in run.err


def test_platform_list_names_each_platform_and_its_columns():
    out = run("--platform", "list")
    for preset in PRESETS.values():
        assert f"{preset.name:<12} {preset.label} ({preset.source})" in out
    assert "hash=passwd" in out and "hash=pass," in out and "encodings: utf-8-sig, cp932" in out
    assert "needs LEGACY_PEPPERS: eccube" in out and "passes over del_flg = 1" in out


def test_a_value_of_no_scheme_the_platform_uses_is_an_error_of_its_line(tmp_path):
    export = tmp_path / "users.csv"
    export.write_text("uid,name,pass,mail\n1,ok,$P$612345678si5M0DDyPpmRCmcltU/YW/,ok@d7.example\n"
                      "2,odd,sha1$abc,odd@d7.example\n")
    with pytest.raises(CommandError, match="1 rows have errors; nothing was imported"):
        run("--platform", "drupal7", str(export))
    assert "line 3: the stored password (8 characters) is of no scheme" in run.err
    assert not User.objects.exists()


def test_shopware_encoders_that_are_not_supported_are_named(tmp_path):
    export = tmp_path / "s_user.csv"
    export.write_text('email,password,encoder\nx@sw.example,"$argon2id$v=19$m=65536,t=4,p=1$abc$def",argon2id\n'
                      "y@sw.example,abc,prehashed\n")
    with pytest.raises(CommandError, match="2 rows have errors"):
        run("--platform", "shopware5", str(export))
    assert "line 2: argon2: expected a $argon2id$ or $argon2i$ hash" in run.err
    assert "line 3: Shopware encoder 'prehashed' is not supported" in run.err


def test_a_preset_names_the_platforms_columns_it_misses(tmp_path):
    export = tmp_path / "customer_entity.csv"
    export.write_text("entity_id,email,password\n1,a@m2.example,abc\n")
    with pytest.raises(CommandError, match="lacks the columns: password_hash"):
        run("--platform", "magento2", str(export))


def test_update_applies_to_platform_imports_too(peppers):
    User.objects.create(username="noah", password="!unusable")
    User.objects.create(username="olivia").set_password("changed on the new site")
    out = run("--platform", "woocommerce", str(EXPORTS / "woocommerce.csv"), "--update")
    assert "Created 2 users, updated 1." in out
    assert User.objects.get(username="noah").password.startswith("legacy_md5$")


def test_a_scheme_found_in_the_rows_needs_its_hasher_listed(settings):
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if not h.endswith(".Drupal7PasswordHasher")]
    with pytest.raises(CommandError, match="PASSWORD_HASHERS must list secure_shopadmin.hashers.drupal.Drupal7"):
        run("--platform", "drupal7", str(EXPORTS / "drupal7.csv"))
    assert not User.objects.exists()
