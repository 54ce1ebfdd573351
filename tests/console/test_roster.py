"""security_report lists every account holding admin rights and what changed since the last report, so a grant
made where no signal sees it (a queryset update, raw SQL) is still seen."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

from secure_shopadmin.console.models import PrivilegeSnapshot

pytestmark = pytest.mark.django_db
User = get_user_model()


def report(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("security_report", "--json", *args, stdout=out, stderr=err)
    except SystemExit:
        pass
    return json.loads(out.getvalue())


def changes(data):
    return {(c["username"], c["change"]): c["fields"] for c in data["admin_changes"]["changes"]}


def test_the_first_report_lists_every_admin_account(superuser, staff_user, member):
    data = report()
    assert sorted(a["username"] for a in data["admin_accounts"]) == ["clerk", "owner"]
    assert data["admin_changes"]["since"] is None
    assert set(changes(data)) == {("clerk", "added"), ("owner", "added")}


def test_a_queryset_update_and_raw_sql_are_seen_by_the_next_report(superuser, staff_user, member):
    report()
    User.objects.filter(pk=member.pk).update(is_superuser=True)  # no signal: no alert
    editors = Group.objects.create(name="Editors")
    editors.user_set.add(staff_user)
    table = Group.permissions.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (group_id, permission_id) VALUES (%s, %s)",
                       [editors.pk, Permission.objects.get(codename="change_user").pk])
    User.objects.filter(pk=superuser.pk).update(is_staff=False, is_superuser=False)
    data = report()
    found = changes(data)
    assert ("member0001", "added") in found and ("owner", "removed") in found
    assert found[("clerk", "changed")] == {"groups": [[], ["Editors"]], "permissions": [[], ["auth.change_user"]]}
    assert data["admin_changes"]["since"] is not None
    assert changes(report()) == {}  # nothing since


def test_a_snapshot_edited_in_the_database_is_not_trusted(superuser, staff_user):
    report()
    User.objects.filter(pk=staff_user.pk).update(is_superuser=True)
    snapshot = PrivilegeSnapshot.objects.get()
    accounts = snapshot.accounts
    accounts[str(staff_user.pk)]["is_superuser"] = True  # someone hides the grant in the stored snapshot
    PrivilegeSnapshot.objects.filter(pk=snapshot.pk).update(accounts=accounts)
    data = report()
    assert data["admin_changes"]["snapshot_untrusted"] is True
    assert ("clerk", "added") in changes(data)


def test_no_snapshot_compares_without_storing(superuser):
    report("--no-snapshot")
    assert not PrivilegeSnapshot.objects.exists()


def test_the_text_report_names_the_changes(superuser, member):
    report()
    User.objects.filter(pk=member.pk).update(is_staff=True)
    out = StringIO()
    try:
        call_command("security_report", stdout=out, stderr=StringIO())
    except SystemExit:
        pass
    text = out.getvalue()
    assert "Accounts holding admin rights: 2" in text and "    + member0001" in text
