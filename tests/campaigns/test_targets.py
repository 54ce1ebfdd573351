"""Adding targets: each account once per campaign, its username and staff flag snapshotted, credited to the
first source that named it; chunks of any size give the same rows."""

import pytest
from django.contrib.auth import get_user_model

from secure_shopadmin.campaigns import targets
from secure_shopadmin.campaigns.models import CampaignTarget

from .conftest import seed_members, upload

User = get_user_model()


@pytest.mark.parametrize("chunk", [2000, 3], ids=["one chunk", "many chunks"])
def test_each_account_is_added_once_and_credited_to_its_first_source(campaign, staff_user, superuser, monkeypatch,
                                                                    chunk):
    monkeypatch.setattr(targets, "INSERT_CHUNK", chunk)
    members = seed_members(10)
    first = upload(campaign, [m.username for m in members[:6]] + [staff_user.email.upper()])
    second = targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members[4:]]))
    again = targets.add_all_staff(campaign)

    assert (first.matched, first.added) == (7, 7)
    assert (second.matched, second.added) == (6, 4)
    assert (again.matched, again.added) == (2, 1)  # the owner is new
    rows = {t.user_id: t for t in CampaignTarget.objects.filter(campaign=campaign)}
    assert sorted(rows) == sorted([m.pk for m in members] + [staff_user.pk, superuser.pk])
    assert rows[superuser.pk].source_id == again.pk
    assert all(rows[m.pk].source_id == first.pk for m in members[:6])
    assert all(rows[m.pk].source_id == second.pk for m in members[6:])
    clerk = rows[staff_user.pk]
    assert (clerk.username, clerk.is_staff, clerk.wrap_state, clerk.needs_enrolment) == (
        staff_user.username, True, "", False)
    assert clerk.added_at is not None and clerk.required_at is None and clerk.mail_id is None


def test_another_campaign_targets_the_same_accounts_afresh(campaign, superuser):
    from secure_shopadmin.campaigns import services

    members = seed_members(3)
    upload(campaign, [m.username for m in members])
    other = services.create("second notice", actor=superuser)
    assert upload(other, [m.username for m in members]).added == 3
    assert CampaignTarget.objects.filter(campaign=other).count() == 3
