import re

import pyotp
from django.core import mail
from django.urls import reverse

from ..conftest import STAFF_PASSWORD


def password_login(client, username="clerk", password=STAFF_PASSWORD):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def link_from_outbox(index=-1):
    match = re.search(r"https?://\S+/security/2fa/link/[\w-]+/", mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(0).replace("http://testserver", "")


def totp_from_enrol_page(response):
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', response.content.decode()).group(1).replace(" ", "")
    return pyotp.TOTP(key)


def previous_code(totp):
    import time

    return totp.at(time.time() - 30)
