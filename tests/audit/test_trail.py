"""The audit trail is append-only: no change or delete through the admin or the model API."""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin.audit.models import AppendOnlyError, EventKind, SecurityEvent
from secure_shopadmin.audit.services import record
from secure_shopadmin.testing import pipeline_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(staff_user):
    return record(EventKind.UNLOCK, actor=staff_user, target=staff_user, reason="test", scope="pair")


def test_rows_cannot_be_changed_or_deleted_through_the_model(event):
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(pk=event.pk).reason == "test"


def test_admin_is_read_only_even_for_superusers(superuser, event):
    client = pipeline_login(Client(), superuser)
    changelist = client.get(reverse("admin:secure_shopadmin_securityevent_changelist"))
    assert changelist.status_code == 200 and "clerk" in changelist.content.decode()
    assert client.get(reverse("admin:secure_shopadmin_securityevent_add")).status_code == 403
    change_url = reverse("admin:secure_shopadmin_securityevent_change", args=[event.pk])
    assert client.post(change_url, {"reason": "rewritten"}).status_code == 403
    delete_url = reverse("admin:secure_shopadmin_securityevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(reverse("admin:secure_shopadmin_securityevent_changelist"),
                           {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_rows_outlive_the_users_they_name(staff_user, event):
    staff_user.delete()
    event = SecurityEvent.objects.get(pk=event.pk)
    assert event.target is None and event.target_username == "clerk"


def test_each_event_is_logged_as_a_structured_record(staff_user, caplog):
    with caplog.at_level(logging.INFO, logger="secure_shopadmin.security"):
        record(EventKind.LOCKOUT, target=staff_user, reason="5 failures", scope="pair")
    entry = caplog.records[-1].security_event
    assert entry["kind"] == "lockout" and entry["target"] == "clerk" and entry["details"] == {"scope": "pair"}


def test_retention_command_is_the_only_way_rows_go(staff_user):
    old = record(EventKind.UNLOCK, target=staff_user)
    SecurityEvent.objects.filter(pk=old.pk)._prune()  # simulate: recreate with an old date
    SecurityEvent.objects.create(kind=EventKind.UNLOCK, created_at=timezone.now() - timedelta(days=800))
    recent = record(EventKind.UNLOCK, target=staff_user)
    out = StringIO()
    call_command("prune_security_events", "--dry-run", stdout=out)
    assert "1 events" in out.getvalue()
    call_command("prune_security_events", stdout=StringIO())
    assert list(SecurityEvent.objects.filter(kind=EventKind.UNLOCK).values_list("pk", flat=True)) == [recent.pk]


def test_export_jsonl_and_csv(event):
    out = StringIO()
    call_command("export_security_events", stdout=out)
    lines = [json.loads(text) for text in out.getvalue().splitlines()]
    line = next(item for item in lines if item["kind"] != "privilege_grant")  # the fixture's staff user
    assert line["kind"] == "unlock" and line["details"] == {"scope": "pair"}
    out = StringIO()
    call_command("export_security_events", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("id,created_at,kind")
