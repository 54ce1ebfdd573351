"""The language switch where LocaleMiddleware is on, and each user's mail language remembered from their login."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.core import languages
from secure_shopadmin.core.mail import default_user_language
from secure_shopadmin.core.models import MailLanguage
from secure_shopadmin.testing import pipeline_login

from .conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db
SWITCH = 'id="language-switch"'


def without_locale_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != languages.LOCALE_MIDDLEWARE]


def test_console_and_storefront_pages_offer_the_switch_once(client, member):
    assert client.get(reverse("admin:login")).content.decode().count(SWITCH) == 1
    assert client.get(reverse("shop:login")).content.decode().count(SWITCH) == 1  # the shop's own header
    pipeline_login(client, member)
    page = client.get(reverse("secure_shopadmin:login_history")).content.decode()
    assert page.count(SWITCH) == 1 and 'lang="ja"' in page and "日本語" in page


def test_the_staff_look_has_the_switch_too(client, staff_user):
    enrol_device(staff_user)
    pipeline_login(client, staff_user)
    page = client.get(reverse("secure_shopadmin:twofactor_manage")).content.decode()
    assert page.count(SWITCH) == 1 and "ssa-console" in page


def test_no_switch_without_locale_middleware(client, settings):
    without_locale_middleware(settings)
    assert SWITCH not in client.get(reverse("admin:login")).content.decode()
    assert SWITCH not in client.get(reverse("secure_shopadmin:reset_resend")).content.decode()


def test_the_switch_works_halfway_through_a_login(client, staff_user):
    enrol_device(staff_user)
    client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    verify = reverse("secure_shopadmin:twofactor_verify")
    response = client.post(reverse("secure_shopadmin:set_language"), {"language": "ja", "next": verify})
    assert response.status_code == 302 and response.url == verify  # allowed: not sent back to the step
    assert "認証" in client.get(verify).content.decode()


def test_a_members_mails_follow_the_language_of_their_last_login(member):
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    response = client.post(reverse("shop:login"), {"username": "member0001", "password": MEMBER_PASSWORD})
    assert response.status_code == 302
    assert MailLanguage.objects.get(user=member).language == "ja" and default_user_language(member) == "ja"
    call_command("force_password_reset", "--usernames", "member0001", "--reason", "phishing report", "--notify",
                 "--no-progress", stdout=io.StringIO())
    [message] = mail.outbox
    assert "新しいパスワード" in message.subject and re.search(r"[\u3040-\u30ff]", message.body)


def test_switching_language_when_logged_in_changes_the_mail_language(client, member):
    pipeline_login(client, member)
    client.post(reverse("secure_shopadmin:set_language"), {"language": "ja", "next": "/account/"})
    assert MailLanguage.objects.get(user=member).language == "ja"
    client.post(reverse("secure_shopadmin:set_language"), {"language": "en", "next": "/account/"})
    member.refresh_from_db()
    assert default_user_language(member) == "en"


def test_a_login_without_locale_middleware_remembers_nothing(member, settings):
    without_locale_middleware(settings)
    Client(HTTP_ACCEPT_LANGUAGE="ja").post(reverse("shop:login"), {"username": "member0001",
                                                                     "password": MEMBER_PASSWORD})
    assert not MailLanguage.objects.exists() and default_user_language(member) == "en"


def test_a_language_attribute_of_the_user_model_still_wins(member):
    languages.remember(member, "ja")
    member.language = "en"
    assert default_user_language(member) == "en"
    languages.remember(member, "xx-unknown")  # not one of LANGUAGES: ignored
    assert MailLanguage.objects.get(user=member).language == "ja"


def test_the_outbox_reads_the_language_with_the_user(member, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from secure_shopadmin.resets import services as resets

    languages.remember(member, "ja")
    resets.require_reset([member.pk, staff_user.pk], reason="phishing report")
    with CaptureQueriesContext(connection) as queries:
        report = resets.send_reset_mails()
    assert report.sent == 2
    alone = [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT")
             and 'FROM "secure_shopadmin_maillanguage"' in q["sql"]]
    assert alone == []  # joined to the user's row, never one query a mail
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "新しいパスワード" in by_address[member.email].subject
    assert "Please choose a new password" in by_address[staff_user.email].subject


def test_every_admin_page_offers_the_language_switch(client, superuser):
    from secure_shopadmin.testing import pipeline_login

    pipeline_login(client, superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="user-tools"' in page and reverse("secure_shopadmin:set_language") in page
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert changelist.count(reverse("secure_shopadmin:set_language")) == 1


def test_configure_puts_the_admin_templates_last_and_once():
    from secure_shopadmin.quickstart import ADMIN_TEMPLATES_DIR, configure

    namespace = {"DEBUG": True, "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates",
                                               "DIRS": ["/site/templates"], "APP_DIRS": True}]}
    configure(namespace)
    configure(namespace)
    assert namespace["TEMPLATES"][0]["DIRS"] == ["/site/templates", ADMIN_TEMPLATES_DIR]
