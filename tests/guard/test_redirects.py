"""Every redirect target stays on the site: a path a request made up never sends the browser off-site."""

import ast
import pathlib

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme

import secure_shopadmin
from secure_shopadmin.core.redirects import safe_url

pytestmark = pytest.mark.django_db
OFF_SITE = ["//evil.example/phish", "///evil.example/phish", "/\\evil.example/phish", "//evil.example/%2F..",
            "/\\/evil.example"]


def on_site(location):
    return url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})


@pytest.mark.parametrize("path", OFF_SITE)
def test_logging_out_a_session_without_the_marker_stays_on_site(member, path):
    client = Client()
    client.force_login(member)  # a login that skipped the pipeline: no marker
    response = client.get("/", PATH_INFO=path)  # as a server hands the path over (no URL parsing)
    assert response.status_code == 302 and on_site(response["Location"]), response["Location"]
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("path", OFF_SITE)
def test_a_half_logged_in_session_is_sent_to_its_step_only(staff_user, staff_totp, path):
    client = Client()
    client.post("/admin/login/", {"username": "clerk", "password": "correct horse battery staple"})
    response = client.get("/", PATH_INFO=path)  # as a server hands the path over (no URL parsing)
    assert response.status_code == 302 and response["Location"] == "/security/2fa/verify/"


@pytest.mark.parametrize("target", [*OFF_SITE, "https://evil.example/", "javascript:alert(1)"])
def test_safe_url_falls_back_for_any_off_site_target(rf, target):
    assert safe_url(rf.get("/"), target, fallback="/fallback/") == "/fallback/"
    assert safe_url(rf.get("/"), "/account/") == "/account/"
    assert safe_url(rf.get("/"), "admin:index") == "/admin/"


def test_no_view_of_the_app_uses_djangos_unchecked_redirect_shortcut():
    """Structural: outside the admin (whose targets are its own reversed URLs) every redirect is safe_redirect."""
    root = pathlib.Path(secure_shopadmin.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.parts[-2] == "admin" or path.name == "redirects.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("django.shortcuts", "django.http"):
                offenders += [f"{path.name}: {a.name}" for a in node.names
                              if a.name in ("redirect", "HttpResponseRedirect")]
    assert offenders == []
