"""Every mail kind, rendered in English and Japanese, against a stored snapshot (text and HTML parts).

A changed template shows up here as a diff; when the change is meant, rewrite the snapshots with
``SSA_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_mail_snapshots.py`` and review them.
"""

import datetime
import os
import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from secure_shopadmin.campaigns import mailing
from secure_shopadmin.campaigns.models import Campaign
from secure_shopadmin.core import mail
from secure_shopadmin.resets.models import ResetCategory, ResetMode, ResetRequirement

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "mail"
MAIL_TEMPLATES = Path(mail.__file__).resolve().parent.parent / "templates" / "secure_shopadmin" / "mail"
LANGUAGES = ("en", "ja")
#: 09:41 in the morning, Tokyo time (the example's TIME_ZONE): English formats end it in "a.m."
LOGIN_TIME = datetime.datetime(2026, 5, 12, 0, 41, tzinfo=datetime.UTC)
EXPIRES = datetime.datetime(2026, 5, 15, 0, 41, tzinfo=datetime.UTC)


def member(is_staff=False):
    return get_user_model()(username="hanako" if not is_staff else "clerk", email="hanako@members.example",
                            is_staff=is_staff)


def login_facts(channel="storefront"):
    return {"login_time": LOGIN_TIME, "time_zone": "Asia/Tokyo", "ip": "203.0.113.7", "browser": "Firefox 128",
            "os": "Windows", "channel": channel, "channel_label": "the shop" if channel == "storefront"
            else "the management console", "login_label": "the shop's member login" if channel == "storefront"
            else "the management console", "is_console": channel == "console", "place": "Osaka, Japan",
            "network_owner": "Example Net (AS64500)", "device": "Firefox on Windows",
            "history_url": "https://shop.example/security/account/logins/"}


def reset_context(mode, category, is_staff=False):
    requirement = ResetRequirement(mode=mode, category=category)
    return {"user": member(is_staff), "requirement": requirement, "expires_at": EXPIRES,
            "link": "https://shop.example/security/reset/link/TOKEN/", "login_url": "https://shop.example/login/"}


#: (kind, variant) -> context; the kind is the template's name, the variant tells snapshots apart
CASES = {
    ("alert_new_environment", ""): lambda: {"user": member(), **login_facts(), "expires_at": EXPIRES,
                                            "was_me_url": "https://shop.example/security/alerts/yes/T1/",
                                            "not_me_url": "https://shop.example/security/alerts/no/T2/"},
    ("alert_new_environment", "blocked"): lambda: {
        "user": member(), **login_facts(), "blocked": True, "expires_at": EXPIRES,
        "was_me_url": "https://shop.example/security/alerts/yes/T1/",
        "not_me_url": "https://shop.example/security/alerts/no/T2/"},
    ("risk_code", ""): lambda: {"user": member(), **login_facts(), "code": "ABCDE-FGHJK", "minutes": 10,
                                "expires_at": EXPIRES,
                                "not_me_url": "https://shop.example/security/login/code/T3/not-me/"},
    ("device_added", ""): lambda: {"user": member(True)},
    ("device_removed", "by_admin"): lambda: {"user": member(True), "by_admin": True},
    ("email_changed", ""): lambda: {"user": member(), "new_email_masked": "h****@n***.example"},
    ("email_confirm", ""): lambda: {"user": member(), "confirm_url": "https://shop.example/security/email/T/",
                                    "valid_hours": 72},
    ("enrolment_link", ""): lambda: {"user": member(True), "url": "https://shop.example/security/2fa/link/T/",
                                     "valid_hours": 24},
    ("lockout_unlock", ""): lambda: {"user": member(), "url": "https://shop.example/security/unlock/T/",
                                     "hours": 24},
    ("otp_lock", ""): lambda: {"user": member(True), "ip": "203.0.113.7", "minutes": 15},
    ("password_changed", ""): lambda: {"user": member()},
    ("password_known", ""): lambda: {"user": member(True), "failures": 20, "hours": 24},
    ("security_contact_password_known", ""): lambda: {"username": "clerk", "is_staff": True, "failures": 20,
                                                      "hours": 24},
    ("recovery_code_used", ""): lambda: {"user": member(True), "remaining": 9},
    ("security_contact_alert", ""): lambda: {**login_facts("console"), "username": "clerk"},
    ("security_contact_not_me", ""): lambda: {**login_facts(), "username": "hanako"},
    ("console_pass_issued", ""): lambda: {"issued_by": "owner", "reason": "travelling", "expires_at": EXPIRES,
                                          "time_zone": "Asia/Tokyo"},
    ("privilege_granted", ""): lambda: {"user": member(True), "granted": ["staff status", "superuser status"],
                                        "actor": "owner"},
    ("security_contact_privilege_granted", ""): lambda: {"username": "clerk", "granted": ["superuser status"],
                                                         "actor": "", "ip": "203.0.113.7"},
    **{("reset_link", category): (lambda category=category: reset_context(ResetMode.COMPROMISED, category))
       for category in ResetCategory.values},
    ("reset_link", "compromise-staff"): lambda: reset_context(ResetMode.COMPROMISED, "compromise", is_staff=True),
    **{("reset_notice", category): (lambda category=category: reset_context(ResetMode.CHANGE, category))
       for category in ResetCategory.values},
}


def render(kind, variant, language):
    if kind == "campaign_reset_link":
        campaign = Campaign(name="May breach")
        mailing.fill_defaults(campaign)
        renderer = mailing.Renderer(campaign, EXPIRES, language)
        return renderer.render(member(variant == "staff"), "https://shop.example/security/reset/link/TOKEN/")
    return mail.render_mail(kind, CASES[(kind, variant)](), language)


ALL_CASES = [*CASES, ("campaign_reset_link", ""), ("campaign_reset_link", "staff")]


def test_every_mail_kind_has_a_case():
    kinds = {path.name.removesuffix("_subject.txt") for path in MAIL_TEMPLATES.glob("*_subject.txt")}
    assert kinds == {kind for kind, _variant in ALL_CASES}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "variant"), ALL_CASES, ids=lambda v: v or "-")
def test_mail_matches_its_snapshot(kind, variant, language, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SHOP_NAME": "Example Shop"}
    subject, text, html = render(kind, variant, language)
    name = "-".join(filter(None, [kind, variant, language]))
    rendered = {f"{name}.txt": f"Subject: {subject}\n\n{text}", f"{name}.html": html}
    for filename, content in rendered.items():
        path = SNAPSHOTS / filename
        if os.environ.get("SSA_UPDATE_SNAPSHOTS") == "1":
            path.write_text(content, encoding="utf-8")
        assert path.exists(), f"no snapshot {filename}: run with SSA_UPDATE_SNAPSHOTS=1 and review it"
        assert content == path.read_text(encoding="utf-8"), f"{filename} differs from its snapshot"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "variant"), ALL_CASES, ids=lambda v: v or "-")
def test_mail_is_well_formed(kind, variant, language, settings):
    subject, text, html = render(kind, variant, language)
    assert subject and text.strip() and html.strip()
    for part in (subject, text, html):
        assert "{{" not in part and "{%" not in part and "\ue000" not in part
        assert not re.search(r"(?<!\.)\.\.(?!\.)|。。|\.。|。\.", part), f"doubled punctuation in {part!r}"
    assert f'<html lang="{language}">' in html
    assert unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()) == subject
    if language == "ja":
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), "the Japanese text part is not in Japanese"


@pytest.mark.parametrize("kind", sorted({kind for kind, _variant in CASES}))
def test_mail_has_a_text_and_an_html_part(kind):
    variant = next(v for k, v in CASES if k == kind)
    message = mail.build_mail(kind, CASES[(kind, variant)](), ["reader@shop.example"], "ja")
    assert message.body and [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
