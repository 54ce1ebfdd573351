"""The offline breached-password list and the optional k-anonymity range API (a local server)."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError

from secure_shopadmin.resets.validators import BreachedPasswordValidator, PwnedRangeValidator, blocklist


@pytest.mark.parametrize("password", ["password", "Password123", "qwerty", "1qaz2wsx", "sakura2024",
                                      "Doraemon123", "shop1234", "iloveyou", "19900101"])
def test_breached_passwords_are_refused(password):
    with pytest.raises(ValidationError) as error:
        BreachedPasswordValidator().validate(password)
    assert error.value.error_list[0].code == "password_breached"


@pytest.mark.parametrize("password", ["correct horse battery staple", "a fresh and long passphrase 42",
                                      "Xk9#pQ2!vL"])
def test_other_passwords_pass(password):
    BreachedPasswordValidator().validate(password)


def test_list_is_compact_and_offline():
    passwords = blocklist(())
    assert 50_000 < len(passwords) < 200_000


def test_extra_files_are_added(tmp_path, settings):
    extra = tmp_path / "ours.txt"
    extra.write_text("ShopNameSpring!\n")
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "BREACHED_PASSWORD_FILES": [str(extra)]}
    with pytest.raises(ValidationError):
        BreachedPasswordValidator().validate("shopnamespring!")


class RangeHandler(BaseHTTPRequestHandler):
    known = {}
    requested = []

    def do_GET(self):  # noqa: N802
        prefix = self.path.rsplit("/", 1)[-1]
        RangeHandler.requested.append(self.path)
        lines = [f"{suffix}:{count}" for full, count in self.known.items() if full.startswith(prefix)
                 for suffix in [full[5:]]]
        lines.append("0" * 35 + ":0")  # padding line
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_api():
    server = HTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RangeHandler.requested.clear()
    yield f"http://127.0.0.1:{server.server_port}/range/"
    server.shutdown()
    server.server_close()


def sha1(password):
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


def test_range_api_refuses_a_known_password_sending_only_a_prefix(range_api):
    RangeHandler.known = {sha1("unusual but pwned 77"): 12}
    validator = PwnedRangeValidator(url=range_api, timeout=2)
    with pytest.raises(ValidationError):
        validator.validate("unusual but pwned 77")
    validator.validate("unusual and unseen 78")
    assert all(len(path.rsplit("/", 1)[-1]) == 5 for path in RangeHandler.requested)
    assert not any("unusual" in path for path in RangeHandler.requested)


def test_range_api_is_off_by_default(range_api):
    RangeHandler.known = {sha1("unusual but pwned 77"): 12}
    PwnedRangeValidator().validate("unusual but pwned 77")
    assert RangeHandler.requested == []


def test_range_api_errors_let_the_password_pass():
    PwnedRangeValidator(url="http://127.0.0.1:9/range/", timeout=0.5).validate("anything at all 1")
    PwnedRangeValidator(url="file:///etc/passwd", timeout=0.5).validate("anything at all 1")


@pytest.mark.django_db
def test_the_reset_form_uses_the_range_api_when_configured(range_api, settings, member):
    from secure_shopadmin.resets import services
    from secure_shopadmin.resets.forms import NewPasswordForm

    RangeHandler.known = {sha1("unusual but pwned 77"): 3}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "PWNED_RANGE_API_URL": range_api}
    services.require_reset([member.pk], reason="x", notify=False)
    requirement = services.pending_requirement(member)
    form = NewPasswordForm(member, requirement, {"new_password1": "unusual but pwned 77",
                                                 "new_password2": "unusual but pwned 77"})
    assert not form.is_valid() and "leaked" in str(form.errors)
