"""The operator's path in the admin (Django's test client): create, add targets, preview, apply, progress,
export, mail preview, close — every change a POST, nothing on GET."""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from secure_shopadmin.campaigns import mailing, runner, services, targets
from secure_shopadmin.campaigns.models import Campaign, CampaignState, CampaignTarget, RunState
from secure_shopadmin.resets.models import ResetRequirement
from secure_shopadmin.testing import pipeline_login
from tests.mailers import use_mail_backend

from ..conftest import enrol_device
from .conftest import seed_members

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def inline_runner(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "inline"}


@pytest.fixture
def owner_client(superuser):
    client = Client(enforce_csrf_checks=False)
    pipeline_login(client, superuser)
    return client


def url(name, campaign=None):
    if campaign is None:
        return reverse(f"admin:secure_shopadmin_campaign_{name}")
    return reverse(f"admin:secure_shopadmin_campaign_{name}", args=[campaign.pk])


def create(client, **fields):
    data = {"name": "May breach", "description": "police notice", "reason": "breach", "wrap_hashes": "on",
            "send_mails": "on", "base_url": "https://shop.example",
            "mail_subject_en": "[{shop_name}] New password needed", "mail_body_en": "Hi {username}\n\n{link}",
            "mail_subject_ja": "パスワードの再設定", "mail_body_ja": "{username} 様\n\n{link}", **fields}
    return client.post(url("add"), data)


def test_add_form_offers_the_default_texts_and_validates_placeholders(owner_client):
    page = owner_client.get(url("add"))
    assert page.status_code == 200 and "{link}" in page.content.decode()
    response = create(owner_client, mail_body_en="no link here {password}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "must contain {link}" in text and "Unknown placeholders: {password}" in text
    assert not Campaign.objects.exists()


def test_operator_path(owner_client, superuser, inline_runner, staff_user):
    members = seed_members(40)
    assert create(owner_client).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.created_by == superuser and campaign.state == CampaignState.DRAFT

    lines = "\n".join([m.username for m in members[:30]] + [members[0].username, "nobody@x.example"])
    upload = SimpleUploadedFile("leaked.txt", lines.encode(), content_type="text/plain")
    response = owner_client.post(url("targets", campaign), {"kind": "upload", "file": upload})
    assert response.status_code == 302
    owner_client.post(url("targets", campaign), {"kind": "all_staff"})
    page = owner_client.get(url("change", campaign)).content.decode()
    assert 'data-key="targets">32<' in page and "nobody@x.example" in page

    confirm = owner_client.get(url("apply", campaign))
    assert "Your own account is among the targets" in confirm.content.decode()
    assert confirm.status_code == 200 and not ResetRequirement.objects.exists()  # GET changes nothing
    response = owner_client.post(url("apply", campaign), {"confirm": "yes"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPLIED and campaign.run_state == RunState.FINISHED
    assert ResetRequirement.objects.pending().count() == 32
    assert len(mail.outbox) == 32
    member_mail = next(m for m in mail.outbox if m.to == [members[0].email])
    assert member_mail.subject == "[Example Shop] New password needed"
    assert member_mail.body.startswith("Example Shop") and "Hi member000000" in member_mail.body
    assert "https://shop.example/security/reset/link/" in member_mail.body

    # the owner is staff, so among the targets: logged out like everybody else
    assert owner_client.get(url("progress_json", campaign)).status_code == 302
    pipeline_login(owner_client, User.objects.get(pk=superuser.pk))
    progress = owner_client.get(url("progress_json", campaign)).json()
    assert progress["required"] == progress["mailed"] == 32 and progress["run_state"] == "finished"
    phases = progress["phases"]
    assert [phases[name]["done"] for name in ("contain", "mail", "wrap")] == [32, 32, 32]
    assert all(phases[name]["state"] == "done" and phases[name]["seconds"] is not None for name in phases)
    page = owner_client.get(url("change", campaign)).content.decode()
    assert page.count('<tr data-phase="') == 3 and '<progress max="32" value="32"' in page

    export = owner_client.get(url("export_csv", campaign))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["username", "email", "staff"] and len(rows) == 33
    assert {row[8] for row in rows[1:]} == {"sent"} and {row[6] for row in rows[1:]} == {"pending"}

    preview = owner_client.get(url("mail_preview", campaign)).content.decode()
    assert "New password needed" in preview and "パスワードの再設定" in preview

    assert owner_client.get(url("close", campaign)).status_code == 200
    owner_client.post(url("close", campaign), {"confirm": "yes"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED and CampaignTarget.objects.count() == 32


def test_posts_need_the_csrf_token(superuser, inline_runner):
    client = Client(enforce_csrf_checks=True)
    pipeline_login(client, superuser)
    campaign = Campaign.objects.create(name="x")
    assert client.post(url("apply", campaign), {"confirm": "yes"}).status_code == 403
    assert client.post(url("run", campaign)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_staff_without_user_change_permission_cannot_apply(staff_user, inline_runner):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(*Permission.objects.filter(codename__in=["change_campaign", "view_campaign"]))
    enrol_device(staff_user)
    client = Client()
    pipeline_login(client, staff_user)
    campaign = Campaign.objects.create(name="x")
    assert client.post(url("apply", campaign), {"confirm": "yes"}).status_code == 403
    assert Campaign.objects.get().state == CampaignState.DRAFT


def test_user_changelist_action_adds_the_selection(owner_client, superuser):
    members = seed_members(5)
    campaign = Campaign.objects.create(name="draft one")
    changelist = reverse("admin:auth_user_changelist")
    data = {"action": "add_to_campaign", "_selected_action": [m.pk for m in members[:3]]}
    page = owner_client.post(changelist, data)
    assert page.status_code == 200 and "3 users selected" in page.content.decode()
    owner_client.post(changelist, {**data, "confirm": "yes", "campaign": campaign.pk})
    assert sorted(campaign.targets.values_list("username", flat=True)) == [m.username for m in members[:3]]


def test_subprocess_runner_starts_a_detached_command(settings, tmp_path):
    """The default runner spawns ``run_campaign ID`` in its own session and returns at once."""
    from secure_shopadmin.campaigns import tasks

    marker = tmp_path / "ran"
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_COMMAND": [
        "/bin/sh", "-c", f"echo {{id}} > {marker}"]}
    campaign = Campaign.objects.create(name="x")
    process = tasks.launch(campaign)
    assert process.wait(timeout=30) == 0
    assert marker.read_text().strip() == str(campaign.pk)
    assert Campaign.objects.get().run_state == RunState.STARTING
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_COMMAND": None}
    assert tasks.command(7)[-5:] == ["-m", "django", "run_campaign", "7", "--no-progress"]


def test_export_cells_never_run_as_spreadsheet_formulas(owner_client, campaign):
    hostile = User.objects.create_user("=HYPERLINK(\"https://evil.example\")", "+cmd@members.example")
    targets.add_selection(campaign, User.objects.filter(pk=hostile.pk))
    export = owner_client.get(url("export_csv", campaign))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:2] == ["'=HYPERLINK(\"https://evil.example\")", "'+cmd@members.example"]


def test_add_page_has_wide_subjects_lists_the_placeholders_and_says_how_targets_are_chosen(owner_client):
    html = owner_client.get(url("add")).content.decode()
    for language in ("en", "ja"):
        field = re.search(rf'<input type="text" name="mail_subject_{language}"[^>]*>', html).group(0)
        assert 'class="vLargeTextField"' in field  # as wide as the body, not the admin's 20em
    placeholders = re.findall(r'<div class="ssa-placeholders">.*?</ul></div>', html, re.S)
    assert len(placeholders) == 2  # beside the English and the Japanese texts
    for name in mailing.PLACEHOLDERS:
        assert f"<li><code>{{{name}}}</code> " in placeholders[0]
    assert "the body must contain it" in placeholders[0]
    targets = re.search(r'<div class="module" id="campaign-targets-help">.*?</div>', html, re.S).group(0)
    assert "Targets are chosen after saving" in targets and "Add to a breach campaign" in targets
    for label in ("Uploaded list of usernames or e-mail addresses", "All staff",
                  "Members who have not logged in since a date", "Accounts with a legacy or wrapped hash"):
        assert f"<li>{label}</li>" in targets


def test_the_change_page_keeps_the_placeholders_but_not_the_targets_note(owner_client):
    create(owner_client)
    html = owner_client.get(url("change", Campaign.objects.get())).content.decode()
    assert 'class="ssa-placeholders"' in html and 'id="campaign-targets-help"' not in html


def test_failed_addresses_export(owner_client, campaign, settings):
    members = seed_members(3)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_MAIL_ATTEMPTS": 1}
    use_mail_backend(settings, "tests.campaigns.failing_mail.EmailBackend")
    runner.run(campaign)
    page = owner_client.get(url("change", campaign)).content.decode()
    assert 'id="campaign-export-failed"' in page
    export = owner_client.get(url("export_csv", campaign) + "?failed=1")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["username", "email", "error"]
    assert sorted(row[1] for row in rows[1:]) == [m.email for m in members]
    assert "failed-mails" in export["Content-Disposition"]
