"""Member pages wear the shop's look (STOREFRONT_BASE_TEMPLATE), staff pages the admin's; one heading each."""

import re

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse

from secure_shopadmin.resets import services as resets
from secure_shopadmin.testing import pipeline_login

from .conftest import enrol_device

pytestmark = pytest.mark.django_db
ADMIN_CHROME = ('id="header"', 'id="nav-sidebar"', "You don’t have permission", "You don't have permission",
                'id="user-tools"')
SELF_SERVICE = ["secure_shopadmin:login_history", "secure_shopadmin:email_change", "secure_shopadmin:twofactor_manage"]


def headings(html):
    return re.findall(r"<h1[ >]", html)


@pytest.mark.parametrize("url_name", SELF_SERVICE)
def test_a_members_self_service_page_is_in_the_shops_look(client, member, url_name):
    enrol_device(member)
    pipeline_login(client, member)
    html = client.get(reverse(url_name)).content.decode()
    assert not [marker for marker in ADMIN_CHROME if marker in html]
    assert "ssa-page ssa-storefront" in html and reverse("shop:account") in html  # the example shop's base
    assert len(headings(html)) == 1


@pytest.mark.parametrize("url_name", SELF_SERVICE)
def test_a_staff_members_page_keeps_the_admins_look(client, staff_user, url_name):
    enrol_device(staff_user)
    pipeline_login(client, staff_user)
    html = client.get(reverse(url_name)).content.decode()
    assert 'id="header"' in html and "ssa-page ssa-console" in html and 'id="nav-sidebar"' not in html
    assert len(headings(html)) == 1


def test_the_remove_button_has_readable_text(client, member):
    enrol_device(member)
    pipeline_login(client, member)
    html = client.get(reverse("secure_shopadmin:twofactor_manage")).content.decode()
    button = re.search(r'<button[^>]*id="remove-authenticator"[^>]*>(.*?)</button>', html, re.S)
    assert button and "Remove every device" in button.group(1)
    assert "deletelink" not in button.group(0) and "ssa-danger" in button.group(0)
    # white on #a40e26: a contrast ratio above WCAG AA's 4.5:1
    assert ".ssa-storefront .ssa-danger, .ssa-console .ssa-danger { background: #a40e26;" in html
    assert contrast("#ffffff", "#a40e26") > 4.5 and contrast("#ffffff", "#1f4e79") > 4.5


def contrast(foreground, background):
    def luminance(color):
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_a_members_reset_link_page_follows_the_link_owner(member, staff_user):
    from .resets.conftest import link_path, link_token, require

    require(member)
    html = Client().get(link_path(link_token())).content.decode()
    assert "ssa-storefront" in html and 'id="header"' not in html and len(headings(html)) == 1
    require(staff_user)
    html = Client().get(link_path(link_token())).content.decode()
    assert "ssa-console" in html and 'id="header"' in html and len(headings(html)) == 1


def test_anonymous_pages_use_the_neutral_default(client, settings):
    settings.SECURE_SHOPADMIN = {k: v for k, v in settings.SECURE_SHOPADMIN.items()
                                 if k != "STOREFRONT_BASE_TEMPLATE"}
    html = client.get(reverse("secure_shopadmin:reset_resend")).content.decode()
    assert 'class="ssa-storefront-header"' in html and "Example Shop" in html
    assert not [marker for marker in ADMIN_CHROME if marker in html] and len(headings(html)) == 1


def test_japanese_member_pages(client, member):
    pipeline_login(client, member)
    html = client.get(reverse("secure_shopadmin:login_history"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja">' in html and "サンプルショップ" in html and "ログイン履歴とセッション" in html


def test_a_missing_or_incomplete_storefront_template_is_a_check_finding(settings, tmp_path):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "STOREFRONT_BASE_TEMPLATE": "nowhere/base.html"}
    assert "secure_shopadmin.E070" in ids()
    (tmp_path / "plain.html").write_text("<html>{% block body %}{% endblock %}</html>")
    (tmp_path / "child.html").write_text('{% extends "plain.html" %}{% block title %}{% endblock %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "STOREFRONT_BASE_TEMPLATE": "child.html"}
    found = [c for c in checks.run_checks(tags=[checks.Tags.templates]) if c.id == "secure_shopadmin.W070"]
    assert found and "content" in found[0].msg and "title" not in found[0].msg.split("block")[-1]
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "STOREFRONT_BASE_TEMPLATE": "shop/base.html"}
    assert not {"secure_shopadmin.E070", "secure_shopadmin.W070"} & ids()


def ids():
    return {c.id for c in checks.run_checks(tags=[checks.Tags.templates, checks.Tags.security])}


def test_pending_reset_pages_follow_the_login_channel(client, member):
    resets.require_reset([member.pk], mode="change", reason="policy", notify=False)
    response = client.post(reverse("shop:login"), {"username": "member0001", "password": "member password 123"})
    html = client.get(response.url).content.decode()
    assert "ssa-storefront" in html and "As a precaution" in html and len(headings(html)) == 1


def test_a_members_confirm_it_is_you_page_is_in_the_shops_look(client, member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REAUTH_MAX_AGE": 1}
    enrol_device(member)
    pipeline_login(client, member)
    import time

    time.sleep(1.1)  # the login's code is no longer fresh
    html = client.post(reverse("secure_shopadmin:twofactor_manage"), {"action": "regenerate"}).content.decode()
    assert 'id="reauth-form"' in html and "ssa-page ssa-storefront" in html
    assert not [marker for marker in ADMIN_CHROME if marker in html] and len(headings(html)) == 1
