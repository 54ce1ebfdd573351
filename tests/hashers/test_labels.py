"""One human label per hash scheme, the same in the overview, the commands and the admin filter."""

from django.utils import translation
from django.utils.module_loading import import_string

from secure_shopadmin.hashers import recommended_hashers
from secure_shopadmin.hashers.schemes import LABELS, SCHEMES, legacy_hasher, scheme_id, scheme_label


def test_every_scheme_and_every_recommended_hasher_has_a_label():
    assert set(SCHEMES) <= set(LABELS)
    algorithms = {import_string(path).algorithm for path in recommended_hashers()}
    assert {scheme_id(a) for a in algorithms} <= set(LABELS)


def test_stored_prefix_and_scheme_name_give_the_same_label():
    assert scheme_id("legacy_md5") == "md5" and scheme_id("phpass") == "phpass"
    assert scheme_label("legacy_md5") == scheme_label("md5") == "Unsalted MD5 (md5)"
    assert scheme_label(legacy_hasher("sha256").algorithm) == "Unsalted SHA-256 (sha256)"
    assert scheme_label("unknown_thing") == "unknown_thing"
    assert scheme_label("md5", with_id=False) == "Unsalted MD5"


def test_labels_are_translated():
    with translation.override("ja"):
        assert scheme_label("md5") != "Unsalted MD5 (md5)" and scheme_label("md5").endswith("(md5)")
