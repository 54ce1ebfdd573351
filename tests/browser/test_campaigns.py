"""The operator's path through a breach campaign in Chromium: create, upload, preview, apply, watch the
progress update, export the CSV."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from secure_shopadmin.campaigns.models import Campaign
from secure_shopadmin.resets.models import ResetRequirement

from ..campaigns.conftest import seed_members
from ..conftest import STAFF_PASSWORD
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inline_runner(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "inline",
                                 "CAMPAIGN_PROGRESS_INTERVAL": 1}


def test_operator_runs_a_campaign(live_server, page, superuser, no_two_factor, inline_runner, tmp_path):
    base = live_server.url
    members = seed_members(25)
    log_in(page, f"{base}/admin/login/", superuser.username, STAFF_PASSWORD)
    page.wait_for_url(f"{base}/admin/")

    # create
    page.goto(base + reverse("admin:secure_shopadmin_campaign_add"))
    assert "{link}" in page.input_value("#id_mail_body_en")
    page.fill("#id_name", "Police notice")
    page.fill("#id_reason", "member records leaked")
    follow(page, "input[name=_continue]")
    campaign = Campaign.objects.get()
    page.wait_for_url(f"{base}{reverse('admin:secure_shopadmin_campaign_change', args=[campaign.pk])}")

    # upload
    listing = tmp_path / "leaked.txt"
    listing.write_text("\n".join([m.email for m in members[:20]] + [members[0].username, "nobody"]) + "\n")
    follow(page, "#campaign-add-targets")
    page.set_input_files("#id_file", str(listing))
    follow(page, "#campaign-targets-form input[type=submit]")

    # preview (nothing changed yet)
    assert page.locator('#campaign-preview [data-key="targets"]').inner_text() == "20"
    assert page.locator("#campaign-sources .unknown-lines").inner_text() == "nobody"
    assert page.locator("#campaign-sources .duplicates").inner_text() == "0"
    assert not ResetRequirement.objects.exists()

    # apply
    follow(page, "#campaign-apply")
    assert "20 accounts" in page.locator("#content-main").inner_text()
    follow(page, "#campaign-apply-form input[type=submit]")

    # progress: the page polls the JSON endpoint and shows the figures
    page.wait_for_selector('#campaign-progress [data-key="mailed"]')
    page.wait_for_function(
        "document.querySelector('#campaign-progress [data-key=\"mailed\"]').textContent.trim() === '20'")
    assert page.locator('[data-key="run_state"]').inner_text() == "finished"
    assert ResetRequirement.objects.pending().count() == 20
    assert get_user_model().objects.get(pk=members[0].pk).has_usable_password() is False

    # export
    with page.expect_download() as download:
        page.click("#campaign-export")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    lines = text.strip().splitlines()
    assert lines[0].startswith("username,email,staff") and len(lines) == 21
    assert all(",sent," in line for line in lines[1:])
