"""The recovery codes page: "continue" only once "I have saved my recovery codes" is ticked, checked by the server."""

import re

import pytest
from django.urls import reverse

from secure_shopadmin.testing import pipeline_login

from ..conftest import enrol_device
from ..resets.conftest import require
from .helpers import link_from_outbox, password_login, totp_from_enrol_page

pytestmark = pytest.mark.django_db
SAVED = reverse("secure_shopadmin:twofactor_codes_saved")
ENROL = reverse("secure_shopadmin:twofactor_enrol")


def enrolled_codes_page(client):
    password_login(client)
    client.post(link_from_outbox())
    totp = totp_from_enrol_page(client.get(ENROL))
    return client.post(ENROL, {"otp_token": totp.now()})


def test_the_page_asks_for_the_box_and_loads_its_script(client, staff_user):
    page = enrolled_codes_page(client)
    html = page.content.decode()
    assert len(re.findall(r"<li><code>[\w-]+</code></li>", html)) == 10
    form = re.search(r'<form method="post" action="([^"]+)" id="codes-saved-form".*?</form>', html, re.S)
    assert form.group(1) == SAVED
    assert re.search(r'<input type="checkbox" name="saved"[^>]*required', form.group(0))
    assert 'name="next" value="/admin/"' in form.group(0)
    for button in ("copy-codes", "download-codes", "print-codes"):
        assert f'id="{button}"' in html
    assert "secure_shopadmin/recovery_codes.js" in html and "<script>" not in html  # no inline script
    assert page.context["download_name"] == "example-shop-recovery-codes.txt"


def test_continue_without_the_box_is_refused_and_keeps_the_page(client, staff_user):
    enrolled_codes_page(client)
    refused = client.post(SAVED, {"next": "/admin/"})
    assert refused.status_code == 204 and not refused.content  # the browser stays on the codes
    refused = client.post(SAVED, {"next": "/admin/", "saved": ""})
    assert refused.status_code == 204
    done = client.post(SAVED, {"next": "/admin/", "saved": "on"})
    assert done.status_code == 302 and done.url == "/admin/"


def test_continue_goes_only_to_this_site(client, staff_user):
    pipeline_login(client, staff_user)
    done = client.post(SAVED, {"next": "https://evil.example/", "saved": "on"})
    assert done.status_code == 302 and done.url == "/"
    assert client.get(SAVED).status_code == 405


def test_continue_reaches_the_next_pending_step(client, staff_user):
    """Enrolment, then a forced reset: continuing leads to the reset, the step the session is at."""
    require(staff_user, mode="change")
    page = enrolled_codes_page(client)
    next_url = re.search(r'name="next" value="([^"]+)"', page.content.decode()).group(1)
    assert next_url == reverse("secure_shopadmin:reset_password")
    done = client.post(SAVED, {"next": next_url, "saved": "on"})
    assert done.url == next_url and client.get(next_url).status_code == 200


def test_new_codes_from_the_self_service_page_have_the_same_buttons(client, staff_user):
    enrol_device(staff_user)
    pipeline_login(client, staff_user)
    html = client.post(reverse("secure_shopadmin:twofactor_manage"), {"action": "regenerate"}).content.decode()
    assert 'id="codes-saved-form"' in html and 'name="next" value="/security/2fa/"' in html
    assert 'id="download-codes"' in html
