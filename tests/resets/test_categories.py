"""Reset mails and pages say what happened: the requirement's mode and the operator's reason category."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.resets import services
from secure_shopadmin.resets.models import ResetCategory, ResetRequirement
from secure_shopadmin.testing import pipeline_login

from .conftest import link_path, link_token, require

pytestmark = pytest.mark.django_db
BREACH_TEXT = "account data of our shop may have been exposed"


def test_a_single_user_reset_by_default_reads_as_a_suspected_compromise(member):
    requirement = require(member)
    assert requirement.category == ResetCategory.COMPROMISE
    body, html = mail.outbox[-1].body, mail.outbox[-1].alternatives[0][0]
    assert "someone else may know the password of your account" in body and BREACH_TEXT not in body
    assert "someone else may know the password of your account" in html and BREACH_TEXT not in html
    page = Client().get(link_path(link_token())).content.decode()
    assert "Someone else may know the password of your account" in page and "You asked" not in page


@pytest.mark.parametrize(("category", "mail_text", "page_text"), [
    ("breach", BREACH_TEXT, "Account data of our shop may have been exposed"),
    ("policy", "This is a precaution, not a sign that anyone knows your password", "As a precaution"),
    ("member", "you told us that a recent login to your account was not you", "You told us"),
])
def test_each_category_has_its_own_mail_and_page(member, category, mail_text, page_text):
    require(member, category=category)
    assert mail_text in mail.outbox[-1].body
    page = Client().get(link_path(link_token())).content.decode()
    assert page_text in page and "a.m.." not in page


def test_change_mode_notice_follows_the_category(member):
    require(member, mode="change", category="breach")
    assert BREACH_TEXT in mail.outbox[-1].body and "log in as usual" in mail.outbox[-1].body
    services.cancel(ResetRequirement.objects.all())
    require(member, mode="change")
    assert "as a precaution" in mail.outbox[-1].body and BREACH_TEXT not in mail.outbox[-1].body


def test_the_mail_is_japanese_for_a_japanese_reader(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "USER_LANGUAGE": "tests.resets.test_categories.ja"}
    require(member)
    message = mail.outbox[-1]
    assert "第三者が知っている可能性" in message.body and "漏えい" not in message.body
    assert "a.m." not in message.body and '<html lang="ja">' in message.alternatives[0][0]


def ja(user):
    return "ja"


def test_the_admin_and_the_command_set_the_category(client, superuser, member, staff_user):
    client = pipeline_login(client, superuser)
    url = reverse("admin:auth_user_password_reset_require", args=[member.pk])
    assert "What the users are told" in client.get(url).content.decode()
    client.post(url, {"mode": "compromised", "category": "policy", "reason": "rotation", "notify": "on"})
    assert services.pending_requirement(member).category == "policy"
    call_command("force_password_reset", "--usernames", "clerk", "--reason", "r", "--category", "breach",
                 "--no-progress", stdout=io.StringIO())
    assert services.pending_requirement(staff_user).category == "breach"


def test_a_campaign_reset_is_a_breach_and_a_new_link_says_so(superuser, member):
    from secure_shopadmin.campaigns import runner, targets
    from secure_shopadmin.campaigns import services as campaigns

    campaign = campaigns.create("May breach", reason="breach", actor=superuser, send_mails=False)
    targets.add_upload(campaign, [b"member0001\n"], label="leaked.txt", actor=superuser)
    campaigns.apply(campaign, actor=superuser)
    runner.run(campaign)
    assert services.pending_requirement(member).category == ResetCategory.BREACH
    Client().post(reverse("secure_shopadmin:reset_resend"), {"email": member.email})  # the member asks again
    assert BREACH_TEXT in mail.outbox[-1].body
