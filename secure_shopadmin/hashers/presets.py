"""``import_legacy_users --platform NAME``: each platform's own customer export, read as it comes.

A preset names the columns it reads (the platform's own names first, then what else an export may
call them), the encodings to try, the rows it passes over (deleted customers, guests), and the
scheme of each row, told from its stored value. Column names are matched without regard to case.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .schemes import PHP_ARGON2, PLAINTEXT

_HEX32, _HEX40, _HEX64 = (re.compile(rf"[0-9a-fA-F]{{{n}}}") for n in (32, 40, 64))
BCRYPT_PREFIXES = ("$2y$", "$2a$", "$2b$")
ARGON2_PREFIXES = ("$argon2id$", "$argon2i$")
NAMES = {"first_name": ("firstname", "first_name"), "last_name": ("lastname", "last_name")}
#: WordPress keeps names in wp_usermeta: columns joined in under these names
JOINED_NAMES = {"first_name": ("first_name", "firstname"), "last_name": ("last_name", "lastname")}


class UnknownHash(ValueError):
    """A row's stored value is of no scheme the preset knows."""


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    #: what to export: the table (or the platform's export) the columns come from
    source: str
    #: field -> header names accepted, the platform's own first; fields: username, email, hash, salt,
    #: first_name, last_name, and what ``scheme_of`` and ``skip`` read
    columns: dict
    required: tuple
    #: values -> (scheme, stored, salt); UnknownHash if the value is of no known scheme
    scheme_of: object
    #: values -> why the row is passed over, or "" to import it
    skip: object = None
    encodings: tuple = ("utf-8-sig",)
    #: the peppers (LEGACY_PEPPERS keys) its usual schemes need
    peppers: tuple = ()
    skip_note: str = ""
    extra: dict = field(default_factory=dict)


def unknown(value):
    kind = value[:4] if value.startswith("$") or value.startswith("U$") else f"{len(value)} characters"
    raise UnknownHash(gettext("the stored password (%(kind)s) is of no scheme this platform is known to use")
                      % {"kind": kind})


def php_hash(value):
    """The scheme of a value from PHP's password_hash() or a plain md5, or None."""
    if value.startswith(BCRYPT_PREFIXES):
        return "bcrypt_php"
    if value.startswith(ARGON2_PREFIXES):
        return PHP_ARGON2
    if _HEX32.fullmatch(value):
        return "md5"
    return None


# --- per platform --------------------------------------------------------------------------------

def eccube(values):
    """EC-CUBE 2.11+ and 4: hmac-sha256 with the row's salt; an empty salt is the sha1 of EC-CUBE before 2.11."""
    stored, salt = values["hash"], values.get("salt", "")
    if salt:
        return "eccube", stored, salt
    if _HEX40.fullmatch(stored):
        return "eccube_sha1", stored, ""
    unknown(stored)


def woocommerce(values):
    stored = values["hash"]
    if stored.startswith("$wp$"):
        return "wordpress_bcrypt", stored, ""
    if stored.startswith(("$P$", "$H$")):
        return "phpass", stored, ""
    return (php_hash(stored) or unknown(stored)), stored, ""


def magento2(values):
    """``hash:salt:version[:version…]``; ``hash:salt`` is Magento 1's md5 (32) or sha256 (64, version 1)."""
    stored = values["hash"]
    parts = stored.split(":")
    if len(parts) >= 3:
        return "magento2", stored, ""
    if len(parts) == 2 and _HEX32.fullmatch(parts[0]):
        return "md5_salted", stored, ""
    if len(parts) == 2 and _HEX64.fullmatch(parts[0]):
        return "magento2", f"{stored}:1", ""
    if len(parts) == 1 and _HEX32.fullmatch(stored):
        return "md5", stored, ""
    unknown(stored)


def prestashop(values):
    """1.7+: PHP's bcrypt; 1.6 and older: md5(_COOKIE_KEY_ + password)."""
    stored = values["hash"]
    if stored.startswith((*BCRYPT_PREFIXES, *ARGON2_PREFIXES)):
        return php_hash(stored), stored, ""
    if _HEX32.fullmatch(stored):
        return "prestashop", stored, ""
    unknown(stored)


def opencart(values):
    """1.5-3: salted sha1 (or an older plain md5); 4: PHP's bcrypt."""
    stored, salt = values["hash"], values.get("salt", "")
    if salt and _HEX40.fullmatch(stored):
        return "opencart", stored, salt
    if not salt:
        scheme = php_hash(stored)
        if scheme:
            return scheme, stored, ""
    unknown(stored)


def drupal7(values):
    stored = values["hash"]
    if stored.startswith(("$S$", "U$S$")):
        return "drupal7", stored, ""
    if stored.startswith(("$P$", "$H$")):
        return "phpass", stored, ""
    if _HEX32.fullmatch(stored):
        return "md5", stored, ""  # a Drupal 6 value that user_update_7000 never converted
    unknown(stored)


SHOPWARE_ENCODERS = {"bcrypt": "bcrypt_php", "sha256": "shopware5_sha256", "legacybackendmd5": "shopware5_md5",
                     "argon2i": PHP_ARGON2, "argon2id": PHP_ARGON2}


def shopware5(values):
    """The row's ``encoder`` column names the scheme (Shopware compares it without regard to case)."""
    stored, encoder = values["hash"], values.get("encoder", "").strip().lower()
    if encoder == "md5" and ":" not in stored:
        return "md5", stored, ""
    if encoder in SHOPWARE_ENCODERS:
        return SHOPWARE_ENCODERS[encoder], stored, ""
    raise UnknownHash(gettext("Shopware encoder %(encoder)r is not supported") % {"encoder": encoder})


def flag_set(name, reason):
    return lambda values: reason if values.get(name, "").strip() == "1" else ""


def any_of(*rules):
    return lambda values: next((reason for rule in rules if (reason := rule(values))), "")


# --- the presets ---------------------------------------------------------------------------------------

JAPANESE_NAMES = {"last_name": ("name01", "お名前(姓)"), "first_name": ("name02", "お名前(名)")}

PRESETS = {preset.name: preset for preset in (
    Preset(
        "eccube2", "EC-CUBE 2", "dtb_customer",
        {"username": ("email", "メールアドレス"), "email": ("email", "メールアドレス"),
         "hash": ("password", "パスワード"), "salt": ("salt",), "deleted": ("del_flg",), **JAPANESE_NAMES},
        ("username", "hash"), eccube, skip=flag_set("deleted", _("deleted customer (del_flg = 1)")),
        encodings=("utf-8-sig", "cp932"), peppers=("eccube",), skip_note=_("del_flg = 1")),
    Preset(
        "eccube4", "EC-CUBE 4", "dtb_customer",
        {"username": ("email", "メールアドレス"), "email": ("email", "メールアドレス"),
         "hash": ("password", "パスワード"), "salt": ("salt",), "status": ("customer_status_id",),
         "deleted": ("del_flg",), **JAPANESE_NAMES},
        ("username", "hash"), eccube,
        skip=any_of(lambda values: _("withdrawn customer (customer_status_id = 3)")
                    if values.get("status", "").strip() == "3" else "",
                    flag_set("deleted", _("deleted customer (del_flg = 1)"))),
        encodings=("utf-8-sig", "cp932"), peppers=("eccube",), skip_note=_("customer_status_id = 3, del_flg = 1")),
    Preset(
        "woocommerce", "WooCommerce / WordPress", "wp_users",
        {"username": ("user_login",), "email": ("user_email",), "hash": ("user_pass",), **JOINED_NAMES},
        ("username", "hash"), woocommerce),
    Preset(
        "magento2", "Magento 2 / Adobe Commerce", "customer_entity",
        {"username": ("email",), "email": ("email",), "hash": ("password_hash",), **NAMES},
        ("username", "hash"), magento2),
    Preset(
        "prestashop", "PrestaShop", "ps_customer",
        {"username": ("email",), "email": ("email",), "hash": ("passwd",), "deleted": ("deleted",),
         "guest": ("is_guest",), **NAMES},
        ("username", "hash"), prestashop,
        skip=any_of(flag_set("deleted", _("deleted customer (deleted = 1)")),
                    flag_set("guest", _("guest account (is_guest = 1)"))),
        peppers=("prestashop",), skip_note=_("deleted = 1, is_guest = 1")),
    Preset(
        "opencart", "OpenCart", "oc_customer",
        {"username": ("email",), "email": ("email",), "hash": ("password",), "salt": ("salt",), **NAMES},
        ("username", "hash"), opencart),
    Preset(
        "drupal7", "Drupal 7 / Drupal Commerce", "users",
        {"username": ("name",), "email": ("mail",), "hash": ("pass",), "uid": ("uid",)},
        ("username", "hash"), drupal7,
        skip=lambda values: _("anonymous user (uid = 0)") if values.get("uid", "").strip() == "0" else "",
        skip_note=_("uid = 0")),
    Preset(
        "shopware5", "Shopware 5", "s_user",
        {"username": ("email",), "email": ("email",), "hash": ("password",), "encoder": ("encoder",),
         "account_mode": ("accountmode",), **NAMES},
        ("username", "hash", "encoder"), shopware5,
        skip=flag_set("account_mode", _("guest order without an account (accountmode = 1)")),
        skip_note=_("accountmode = 1")),
)}

#: the layout of ``--scheme`` without a platform: one scheme for every row
GENERIC_COLUMNS = {"username": ("username",), "email": ("email",), "hash": ("hash",), "salt": ("salt",),
                   "first_name": ("first_name",), "last_name": ("last_name",)}


def generic(scheme):
    """The preset of the app's own layout, every row of ``scheme``."""
    return Preset("", "", "", GENERIC_COLUMNS, ("username", "email", "hash"),
                  lambda values: (scheme, values["hash"], values.get("salt", "")))


def with_scheme(preset, scheme):
    """``preset`` with every row taken as ``scheme`` (e.g. ``plaintext`` for EC-CUBE's ``AUTH_TYPE=PLAIN``)."""
    return Preset(preset.name, preset.label, preset.source, preset.columns, preset.required,
                  lambda values: (scheme, values["hash"], "" if scheme == PLAINTEXT else values.get("salt", "")),
                  preset.skip, preset.encodings, (), preset.skip_note)


def describe(preset):
    """{field: header} of the columns ``preset`` reads, the platform's own names."""
    return {name: headers[0] for name, headers in preset.columns.items()}
