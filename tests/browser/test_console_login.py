import pytest

from ..conftest import STAFF_PASSWORD
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_into_console_and_sees_changelist(live_server, page, staff_user, staff_totp):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="view_product"))
    page.goto(f"{live_server.url}/admin/shop/product/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "clerk")
    page.fill("#id_password", STAFF_PASSWORD)
    follow(page, "input[type=submit]")
    page.wait_for_url("**/security/2fa/verify/")
    page.fill("#id_otp_token", staff_totp.now())
    follow(page, "#verify-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/shop/product/")
    assert page.locator("#changelist").is_visible()
    assert "Select product to view" in page.content()


def test_wrong_password_shows_the_generic_error(live_server, page, staff_user):
    log_in(page, f"{live_server.url}/admin/login/", password="not the password")
    assert "Please enter a correct" in page.content()
    assert "/admin/login/" in page.url
