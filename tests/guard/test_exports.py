"""export_security_events keeps every CSV cell as text (no spreadsheet formula), like the campaign export."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from secure_shopadmin.audit.models import EventKind
from secure_shopadmin.audit.services import record
from secure_shopadmin.core.spreadsheet import spreadsheet_safe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil.example\")", "+1", "-2+3", "@SUM(A1)", "\t=1",
                                   "\r=1", "＝1+1"])
def test_formula_starts_are_kept_as_text(value):
    assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("plain") == "plain" and spreadsheet_safe(None) == ""


def test_the_csv_export_neutralises_formulas(django_user_model):
    user = django_user_model.objects.create_user("=cmd|' /C calc'!A0", "x@shop.example", "pw")
    record(EventKind.UNLOCK, actor=user, target=user, reason="@SUM(1+1)*cmd|' /C calc'!A0")
    out = io.StringIO()
    call_command("export_security_events", "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    header, row = rows[0], rows[-1]
    cells = dict(zip(header, row, strict=True))
    assert cells["actor_username"] == "'=cmd|' /C calc'!A0"
    assert cells["reason"].startswith("'@SUM")
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize("since", ["yesterday", "2024-13-45", "2024-02-30T10:00:00"])
def test_a_bad_since_is_a_command_error(since):
    with pytest.raises(CommandError, match="--since"):
        call_command("export_security_events", "--since", since, stdout=io.StringIO())


def test_since_takes_a_date_or_a_date_time():
    call_command("export_security_events", "--since", "2024-01-01", stdout=io.StringIO())
    call_command("export_security_events", "--since", "2024-01-01T10:00:00+09:00", stdout=io.StringIO())
