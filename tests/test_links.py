"""Links in mails come from SITE_URL, never from the request's Host header."""

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from secure_shopadmin.core import links
from secure_shopadmin.lockout import services as guard

from .conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db
SITE = "https://shop.example"


@pytest.fixture
def forged_host_allowed(settings):
    """The worst case a shop can configure: any Host accepted, SITE_URL set."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}


def test_a_password_holder_with_a_forged_host_gets_the_enrolment_link_of_the_shop(client, staff_user,
                                                                                   forged_host_allowed):
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD},
                           HTTP_HOST="evil.example")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert f"{SITE}/security/2fa/link/" in message.body
    assert "evil.example" not in message.body + "".join(str(a[0]) for a in message.alternatives)


def test_the_unlock_link_ignores_a_forged_host(member, forged_host_allowed):
    request = RequestFactory().post("/admin/login/", HTTP_HOST="evil.example")
    guard.mail_unlock_link(request, member, force=True)
    (message,) = mail.outbox
    assert f"{SITE}/security/" in message.body and "evil.example" not in message.body


def test_the_request_stands_in_only_while_no_base_url_is_configured(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "", "RESET_BASE_URL": ""}
    settings.ALLOWED_HOSTS = ["dev.local"]
    request = RequestFactory().get("/", HTTP_HOST="dev.local:8000")
    assert links.base_url(request) == "http://dev.local:8000"
    with pytest.raises(links.MissingSiteURL):
        links.base_url()


def test_the_deprecated_alias_serves_while_site_url_is_empty(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "", "RESET_BASE_URL": "https://old.example/"}
    assert links.base_url(RequestFactory().get("/", HTTP_HOST="evil.example")) == "https://old.example"
