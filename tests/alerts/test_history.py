"""The user's own login history page and the admin's login records, user panel and "end all sessions"."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from secure_shopadmin.alerts.models import LoginRecord
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.testing import pipeline_login

from ..conftest import STAFF_PASSWORD
from .conftest import FIREFOX_LINUX, HOME_IP, OTHER_IP, browser

pytestmark = pytest.mark.django_db
HISTORY = "secure_shopadmin:login_history"


def account_ok(client):
    return client.get(reverse("shop:account")).status_code == 200


@pytest.fixture
def two_browsers(member, login):
    first, second = browser(), browser(FIREFOX_LINUX, OTHER_IP)
    login(first, member)
    login(second, member)
    return first, second


def test_history_needs_a_login(client):
    response = client.get(reverse(HISTORY))
    assert response.status_code == 302 and "login" in response.url


def test_history_lists_logins_and_sessions(two_browsers, member):
    first, _second = two_browsers
    response = first.get(reverse(HISTORY))
    assert response.status_code == 200
    body = response.content.decode()
    assert OTHER_IP in body and HOME_IP in body and "Firefox" in body and "This session" in body
    assert body.count("End this session") == 1


def test_user_ends_another_session(two_browsers, member):
    first, second = two_browsers
    other = UserSession.objects.get(user=member, login_record__ip=OTHER_IP)
    assert first.get(reverse("secure_shopadmin:end_session", args=[other.pk])).status_code == 405  # GET: nothing
    assert account_ok(second)
    response = first.post(reverse("secure_shopadmin:end_session", args=[other.pk]))
    assert response.status_code == 302
    assert not account_ok(second) and account_ok(first)
    assert SecurityEvent.objects.get(kind=EventKind.SESSIONS_ENDED).details["count"] == 1


def test_user_cannot_end_the_current_session_with_the_button(two_browsers, member):
    first, _second = two_browsers
    own = UserSession.objects.get(user=member, login_record__ip=HOME_IP)
    first.post(reverse("secure_shopadmin:end_session", args=[own.pk]))
    assert account_ok(first)


def test_user_cannot_end_someone_elses_session(two_browsers, staff_user, login, no_two_factor):
    login(browser(), staff_user)
    foreign = UserSession.objects.get(user=staff_user)
    first, _second = two_browsers
    assert first.post(reverse("secure_shopadmin:end_session", args=[foreign.pk])).status_code == 404
    assert UserSession.objects.filter(pk=foreign.pk).exists()


def test_user_ends_all_other_sessions(two_browsers, member):
    first, second = two_browsers
    first.post(reverse("secure_shopadmin:end_other_sessions"))
    assert account_ok(first) and not account_ok(second)
    assert UserSession.objects.filter(user=member).count() == 1


def test_end_session_needs_csrf(two_browsers, member):
    first, second = two_browsers
    csrf_client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="x")
    csrf_client.cookies = first.cookies
    assert csrf_client.post(reverse("secure_shopadmin:end_other_sessions")).status_code == 403
    assert account_ok(second)


# --- admin ------------------------------------------------------------------------------------------

@pytest.fixture
def owner_client(superuser, login, no_two_factor):
    client = browser()
    login(client, superuser)
    return client


def test_login_records_changelist_filters(owner_client, two_browsers, member, staff_user, login):
    url = reverse("admin:secure_shopadmin_loginrecord_changelist")
    login(browser(ip="203.0.113.99"), member)  # familiar
    Client().post(reverse("admin:login"), {"username": staff_user.username, "password": "wrong"},
                  REMOTE_ADDR="192.0.2.200")
    assert owner_client.get(url).status_code == 200
    by_user = owner_client.get(url, {"username": member.username})
    assert {r.user_id for r in by_user.context["cl"].result_list} == {member.pk}
    by_ip = owner_client.get(url, {"ip_or_network": OTHER_IP})
    assert [r.ip for r in by_ip.context["cl"].result_list] == [OTHER_IP]
    by_network = owner_client.get(url, {"ip_or_network": "203.0.113.0/24"})
    assert {r.ip for r in by_network.context["cl"].result_list} == {HOME_IP, "203.0.113.99"}
    new_only = owner_client.get(url, {"new_environment__exact": "1", "username": member.username})
    assert [r.ip for r in new_only.context["cl"].result_list] == [OTHER_IP, HOME_IP]
    failed = owner_client.get(url, {"outcome__exact": "failed"})
    assert [r.user_id for r in failed.context["cl"].result_list] == [staff_user.pk]
    assert owner_client.get(url, {"ip_or_network": "nonsense"}).context["cl"].result_count == 0


def test_login_records_are_read_only(owner_client, member, login):
    record = login(browser(), member)
    assert owner_client.get(reverse("admin:secure_shopadmin_loginrecord_add")).status_code == 403
    change = reverse("admin:secure_shopadmin_loginrecord_change", args=[record.pk])
    assert owner_client.get(change).status_code == 200  # a view-only page
    owner_client.post(change, {"ip": "1.2.3.4"})
    assert LoginRecord.objects.get(pk=record.pk).ip == HOME_IP
    delete = reverse("admin:secure_shopadmin_loginrecord_delete", args=[record.pk])
    assert owner_client.post(delete, {"post": "yes"}).status_code == 403


def test_user_page_shows_logins_sessions_and_the_tool(owner_client, two_browsers, member):
    response = owner_client.get(reverse("admin:auth_user_change", args=[member.pk]))
    body = response.content.decode()
    assert "Logins and sessions" in body and OTHER_IP in body
    assert reverse("admin:auth_user_end_sessions", args=[member.pk]) in body


def test_admin_ends_all_sessions_after_confirmation(owner_client, two_browsers, member, superuser):
    first, second = two_browsers
    url = reverse("admin:auth_user_end_sessions", args=[member.pk])
    page = owner_client.get(url)
    assert page.status_code == 200 and b"confirm-form" in page.content
    assert account_ok(first) and account_ok(second)  # the GET changed nothing
    assert owner_client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert account_ok(first)
    response = owner_client.post(url, {"reason": "phished"})
    assert response.status_code == 302
    assert not account_ok(first) and not account_ok(second)
    event = SecurityEvent.objects.get(kind=EventKind.SESSIONS_ENDED)
    assert (event.actor, event.target, event.reason, event.details["count"]) == (superuser, member, "phished", 2)


def test_ending_ones_own_sessions_keeps_the_current_one(owner_client, superuser, login):
    other = browser(FIREFOX_LINUX, OTHER_IP)
    login(other, superuser)
    owner_client.post(reverse("admin:auth_user_end_sessions", args=[superuser.pk]), {"reason": "tidy"})
    assert owner_client.get(reverse("admin:index")).status_code == 200
    assert other.get(reverse("admin:index")).status_code == 302


def test_staff_without_the_permission_cannot_end_sessions(staff_user, member, login, no_two_factor):
    staff_user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client = browser()
    login(client, staff_user)
    login(browser(), member)
    url = reverse("admin:auth_user_end_sessions", args=[member.pk])
    assert url not in client.get(reverse("admin:auth_user_change", args=[member.pk])).content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert UserSession.objects.filter(user=member).exists()
    staff_user = get_user_model().objects.get(pk=staff_user.pk)
    staff_user.user_permissions.add(Permission.objects.get(codename="end_user_sessions"))
    assert client.post(url, {"reason": "x"}).status_code == 302
    assert not UserSession.objects.filter(user=member).exists()


def test_console_login_is_recorded_as_console(staff_user, login, no_two_factor):
    record = login(browser(), staff_user)
    assert record.channel == "console" and record.outcome == "success"
    assert STAFF_PASSWORD not in str(LoginRecord.objects.values_list())


def test_japanese_history_heads_the_session_column_with_a_time_not_an_outcome(member, login):
    """One English msgid, two meanings: the sessions' time column and a login's outcome each have theirs."""
    japanese = browser(HTTP_ACCEPT_LANGUAGE="ja")
    login(japanese, member)
    body = japanese.get(reverse(HISTORY)).content.decode()
    sessions_head = body.split('id="ssa-sessions"')[1].split("</thead>")[0]
    logins_table = body.split('id="ssa-logins"')[1].split("</table>")[0]
    assert "<th>ログイン日時</th>" in sessions_head and "ログイン成功" not in sessions_head
    assert "<td>ログイン成功</td>" in logins_table


def test_japanese_login_records_name_their_login_path(member, superuser, login):
    login(browser(), member)
    LoginRecord.objects.create(user=superuser, channel="console")
    admin = pipeline_login(Client(HTTP_ACCEPT_LANGUAGE="ja"), superuser)
    page = admin.get(reverse("admin:secure_shopadmin_loginrecord_changelist"))
    login_paths = [choice["display"] for spec in page.context["cl"].filter_specs
                   if getattr(spec, "field_path", "") == "channel" for choice in spec.choices(page.context["cl"])]
    assert login_paths[1:] == ["管理画面", "ショップ", "API"]  # after "all"
    console = LoginRecord.objects.get(user=superuser)
    record = admin.get(reverse("admin:secure_shopadmin_loginrecord_change", args=[console.pk])).content.decode()
    assert '<div class="readonly">管理画面</div>' in record
    panel = admin.get(reverse("admin:auth_user_change", args=[member.pk])).content.decode()
    assert "<td>ショップ</td>" in panel and "storefront" not in panel
