"""The admin index: the models the app replaces are hidden unless asked for; the overview leads its section."""

import re

import pytest
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.test import Client
from django.urls import include, path, reverse
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from secure_shopadmin.admin import sections
from secure_shopadmin.testing import pipeline_login

pytestmark = pytest.mark.django_db

THIRD_PARTY = {AccessAttempt: AccessAttemptAdmin, AccessLog: AccessLogAdmin,
               AccessFailureLog: AccessFailureLogAdmin, TokenProxy: TokenAdmin}
NAMES = ["Access attempts", "Access logs", "Access failures", "Tokens"]


@pytest.fixture
def registered_as_at_import():
    """The admin as django-axes and DRF leave it before the app's start-up; restored afterwards."""
    saved = dict(admin.site._registry)
    for model, model_admin in THIRD_PARTY.items():
        if not admin.site.is_registered(model):
            admin.site.register(model, model_admin)
    yield
    admin.site._registry.clear()
    admin.site._registry.update(saved)


def admin_urls_now(settings):
    """A URLconf whose admin URLs are built from the registry as it is now (the project's were built once)."""
    class URLconf:
        urlpatterns = [path("admin/", admin.site.urls), path("security/", include("secure_shopadmin.urls")),
                       path("", include("shop.urls"))]
    settings.ROOT_URLCONF = URLconf


def index_html(superuser, path=None):
    client = pipeline_login(Client(), superuser)
    return client.get(path or reverse("admin:index")).content.decode()


def security_section(html):
    section = re.search(r'<div class="app-secure_shopadmin module.*?</table>', html, re.S).group(0)
    return re.findall(r'<th scope="row" id="secure_shopadmin-([a-z]+)">', section)


def test_the_started_app_hides_axes_and_authtoken_models(superuser):
    html = index_html(superuser)
    for name in NAMES:
        assert f">{name}<" not in html
    assert "app-axes" not in html and "app-authtoken" not in html
    for model in THIRD_PARTY:
        assert not admin.site.is_registered(model)


def test_hiding_works_on_every_site_and_without_authtoken(registered_as_at_import, superuser, settings):
    site = admin.AdminSite(name="other")
    site.register(AccessLog, AccessLogAdmin)
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "rest_framework.authtoken"]
    sections.hide_replaced_models([admin.site, site])
    assert not site.is_registered(AccessLog)
    assert admin.site.is_registered(TokenProxy)  # DRF's authtoken "not installed": nothing of it touched
    assert not admin.site.is_registered(AccessAttempt)


def test_the_setting_keeps_them(registered_as_at_import, superuser, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ADMIN_SHOW_REPLACED_MODELS": True}
    sections.hide_replaced_models()
    admin_urls_now(settings)
    html = index_html(superuser)
    for name in NAMES:
        assert f">{name}<" in html
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ADMIN_SHOW_REPLACED_MODELS": False}
    sections.hide_replaced_models()
    admin_urls_now(settings)
    html = index_html(superuser)
    for name in NAMES:
        assert f">{name}<" not in html


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_overview_comes_first_in_the_security_section(superuser, settings, language):
    settings.LANGUAGE_CODE = language
    for page in (reverse("admin:index"), reverse("admin:app_list", args=["secure_shopadmin"])):
        models = security_section(index_html(superuser, page))
        assert models[0] == "securityoverview" and len(models) > 3


def test_the_nav_sidebar_lists_the_overview_first(superuser):
    html = index_html(superuser, reverse("admin:secure_shopadmin_loginrecord_changelist"))
    sidebar = re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S).group(0)
    assert sidebar.index("securityoverview") < sidebar.index("loginrecord")
    assert "axes" not in sidebar and "authtoken" not in sidebar
