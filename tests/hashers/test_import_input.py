"""Bad input to import_legacy_users ends in a CommandError naming the line, never a traceback, and writes nothing."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db
HEADER = "username,email,hash\n"
GOOD_ROW = f"hanako,hanako@example.jp,{hashlib.md5(b'pw').hexdigest()}\n"


def run_file(tmp_path, data, *args):
    path = tmp_path / "export.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    err = io.StringIO()
    try:
        call_command("import_legacy_users", str(path), *(args or ("--scheme", "md5")), stdout=io.StringIO(),
                     stderr=err)
    finally:
        run_file.err = err.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (HEADER + GOOD_ROW + "taro,t@example.jp," + "a" * 200_000 + "\n",
     r"export.csv: line 3: field larger than field limit \(131072\)\. Nothing was imported\."),
    (HEADER + GOOD_ROW + 'taro,"t@example.jp"x,abc\n', r"line 3: ',' expected after '\"'\."),
    (HEADER + GOOD_ROW + 'taro,t@example.jp,"abc\n', r"line 3: unexpected end of data\."),
    ("", r"The file is empty: a header row is needed\."),
    (HEADER.encode() + GOOD_ROW.encode() + "taro,太郎@example.jp,x\n".encode("cp932"),
     r"line 3 is not utf-8-sig text; give --encoding\."),
])
def test_unreadable_csv_is_a_command_error_naming_the_line(tmp_path, data, message):
    with pytest.raises(CommandError, match=message):
        run_file(tmp_path, data)
    assert not get_user_model().objects.exists()


def test_an_export_in_another_encoding_is_read_with_encoding(tmp_path):
    data = b"username,email,hash,first_name\n" + f"hanako,,{hashlib.md5(b'pw').hexdigest()},花子\n".encode(
        "cp932")
    run_file(tmp_path, data, "--scheme", "md5", "--encoding", "cp932")
    assert get_user_model().objects.get(username="hanako").first_name == "花子"


def test_an_unknown_encoding_or_a_long_delimiter_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Unknown encoding martian"):
        run_file(tmp_path, HEADER + GOOD_ROW, "--scheme", "md5", "--encoding", "martian")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run_file(tmp_path, HEADER + GOOD_ROW, "--scheme", "md5", "--delimiter", ";;")


def test_tab_separated_exports(tmp_path):
    run_file(tmp_path, HEADER.replace(",", "\t") + GOOD_ROW.replace(",", "\t"), "--scheme", "md5", "--delimiter",
             "tab")
    assert get_user_model().objects.filter(username="hanako").exists()


@pytest.mark.parametrize("row", ["taro,t@example.jp\n", "taro,t@example.jp,abc,extra\n"])
def test_a_row_with_the_wrong_number_of_fields_is_an_error_of_its_line(tmp_path, row):
    with pytest.raises(CommandError, match="1 rows have errors"):
        run_file(tmp_path, HEADER + GOOD_ROW + row)
    assert "line 3: wrong number of fields" in run_file.err


def test_an_overlong_username_is_an_error_of_its_line(tmp_path):
    with pytest.raises(CommandError, match="1 rows have errors"):
        run_file(tmp_path, HEADER + "u" * 151 + f",,{hashlib.md5(b'x').hexdigest()}\n")
    assert "line 2: username: Ensure this value has at most 150 characters" in run_file.err


def test_without_a_scheme_or_a_platform_the_command_says_what_it_needs(tmp_path):
    with pytest.raises(CommandError, match="--scheme SCHEME or --platform NAME"):
        call_command("import_legacy_users", "export.csv")
