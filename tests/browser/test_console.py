"""The console's fresh-code rule in Chromium: a stale code stops the bulk "require password reset"
action at a code page, and the action then completes once, with the selection it was asked for."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.pipeline import MARKER_KEY
from secure_shopadmin.resets.models import ResetRequirement
from secure_shopadmin.twofactor import recovery

from ..conftest import enrol_device
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
User = get_user_model()


def make_code_stale(page):
    """Age the browser's session's last code past REAUTH_MAX_AGE (as if 10 minutes went by)."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    marker = session[MARKER_KEY]
    marker["code_at"] = int(time.time()) - 600
    session[MARKER_KEY] = marker
    session.save()


def test_bulk_require_reset_asks_for_a_code_then_completes_once_with_the_selection(live_server, page, superuser):
    totp = enrol_device(superuser)
    codes = recovery.regenerate(superuser)
    members = [User.objects.create_user(f"m{i:04d}", f"m{i:04d}@members.example", "pw") for i in range(3)]
    base = live_server.url
    log_in(page, f"{base}/admin/login/", "owner")
    page.fill("input[name=otp_token]", totp.now())
    follow(page, "#verify-form input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    make_code_stale(page)
    page.goto(f"{base}/admin/auth/user/")
    for member in (members[0], members[2]):
        page.check(f"input[name=_selected_action][value='{member.pk}']")
    page.select_option("select[name=action]", "require_password_reset")
    follow(page, "button[name=index]")
    assert page.locator("#reauth-form").is_visible()  # the code first
    page.fill("#id_otp_token", "000000")
    follow(page, "#reauth-form input[type=submit]")
    assert "not valid" in page.inner_text(".errornote")
    page.fill("#id_otp_token", codes[0])
    follow(page, "#reauth-form input[type=submit]")
    # the action goes on where it was asked: its confirmation page, with the original selection
    assert page.inner_text("#reset-preview").split() == ["m0000", "m0002"]

    make_code_stale(page)  # the confirmation waited too long: its POST asks again, then completes
    page.check("input[name=mode][value=change]")
    page.fill("#id_reason", "precaution after the breach")
    follow(page, "#require-reset-form input[type=submit]")
    assert page.locator("#reauth-form").is_visible()
    assert ResetRequirement.objects.count() == 0
    page.fill("#id_otp_token", codes[1])
    spent = page.input_value("input[name=_ssa_reauth]")
    follow(page, "#reauth-form input[type=submit]")
    assert "Password reset required of 2 users" in page.inner_text(".messagelist")

    # the same code page sent again (a double submit, a resend) does nothing more
    page.evaluate("""([blob, code]) => {
        const form = document.createElement("form");
        form.method = "post"; form.action = "/admin/auth/user/"; form.id = "again";
        for (const [name, value] of [["csrfmiddlewaretoken", document.querySelector(
                "input[name=csrfmiddlewaretoken]").value], ["_ssa_reauth", blob], ["otp_token", code]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form);
    }""", [spent, codes[2]])
    with page.expect_navigation(wait_until="load"):
        page.evaluate("document.getElementById('again').submit()")
    assert "already used" in page.inner_text(".messagelist")
    assert sorted(ResetRequirement.objects.values_list("user__username", flat=True)) == ["m0000", "m0002"]
    assert set(ResetRequirement.objects.values_list("reason", flat=True)) == {"precaution after the breach"}
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_REQUIRED).count() == 2
    assert SecurityEvent.objects.filter(kind=EventKind.REAUTH, details__outcome="ok").count() == 2
