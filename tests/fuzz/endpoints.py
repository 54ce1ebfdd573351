"""What the fuzz suite drives: every form and JSON endpoint of the app, and the inputs it sends."""

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import strategies as st

#: inputs that broke something once, or might: NUL, other scripts' digits, long, markup, paths
NASTY = ["", " ", "\x00", "a\x00b", "²³⁴⁵⁶⁷", "１２３４５６", "١٢٣٤٥٦", "123456", "000000", "٠", "\u202e",
         "'; DROP TABLE auth_user; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "\ud7ff",
         "x" * 300, "=cmd|' /C calc'!A0", "clerk", "member0001", "clerk@shop.example", "a@b", "@", "-1",
         "9" * 40, "1e9", "null", "[]", "{}", "\r\n", "\ufeff", "ǅ", "ß", "İ"]

text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
#: a path segment (no "/"; never empty)
segment = st.one_of(st.sampled_from(["0", "1", "abc", "²", "%00", "x" * 120, "..", "-1", "9" * 30]),
                    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/"), min_size=1,
                            max_size=40))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=8)


@dataclass(frozen=True)
class Endpoint:
    """A page or API view: its path (``{}`` takes a fuzzed segment), its form fields, how it is posted."""

    name: str
    path: str
    fields: tuple = ()
    json: bool = False
    get_too: bool = True
    states: tuple = ("anonymous", "half", "logged_in")
    #: states in which the endpoint acts on any request (no secret to guess): only "no 5xx" is checked
    acts_for: tuple = ()
    #: logged in (fresh or stale) as a superuser rather than as a staff member without permissions
    as_superuser: bool = False
    extra: dict = field(default_factory=dict)

    def url(self, token):
        return self.path.format(quote(token, safe="")) if "{}" in self.path else self.path


ENDPOINTS = [
    Endpoint("console_login", "/admin/login/", ("username", "password", "next", "passkey_answer")),
    Endpoint("storefront_login", "/login/", ("username", "password", "next", "passkey_answer")),
    Endpoint("cancel_login", "/security/login/cancel/", (), get_too=False),
    Endpoint("verify", "/security/2fa/verify/", ("otp_token", "remember", "passkey_answer")),
    Endpoint("enrol", "/security/2fa/enrol/", ("otp_token", "passkey_answer", "passkey_name")),
    Endpoint("mailed", "/security/2fa/mailed/", ()),
    Endpoint("twofactor_link", "/security/2fa/link/{}/", ()),
    Endpoint("manage", "/security/2fa/", ("otp_token", "action", "kind", "device", "name", "passkey_answer",
                                          "passkey_name", "_ssa_reauth"),
             states=("anonymous", "half", "logged_in", "stale")),
    Endpoint("add_app", "/security/2fa/add-app/", ("otp_token", "_ssa_reauth"),
             states=("anonymous", "half", "logged_in", "stale")),
    Endpoint("codes_saved", "/security/2fa/recovery-codes/saved/", ("saved", "next"), get_too=False),
    Endpoint("console_pass", "/security/console/pass/{}/", ()),
    Endpoint("forget_browser", "/security/2fa/browsers/{}/forget/", (), get_too=False),
    Endpoint("reset_password", "/security/reset/password/", ("new_password1", "new_password2")),
    Endpoint("reset_done", "/security/reset/done/", ("next",)),
    Endpoint("reset_link_needed", "/security/reset/check-mail/", ()),
    Endpoint("reset_resend", "/security/reset/new-link/", ("email",)),
    Endpoint("reset_link", "/security/reset/link/{}/", ()),
    Endpoint("email_change", "/security/account/email/", ("email", "password", "otp_token")),
    Endpoint("email_confirm", "/security/account/email/confirm/{}/", ()),
    Endpoint("alert_was_me", "/security/alerts/{}/me/", ()),
    Endpoint("alert_not_me", "/security/alerts/{}/not-me/", ()),
    Endpoint("risk_code", "/security/login/code/", ("code", "resend")),
    Endpoint("risk_not_me", "/security/login/code/{}/not-me/", ()),
    Endpoint("login_history", "/security/account/logins/", ()),
    Endpoint("end_session", "/security/account/sessions/{}/end/", (), get_too=False),
    Endpoint("end_other_sessions", "/security/account/sessions/end-others/", (), get_too=False),
    Endpoint("unlock", "/security/unlock/{}/", ()),
    Endpoint("token_password", "/api/token/password/", ("username", "password"), json=True),
    Endpoint("token_verified", "/api/token/", ("otp_token", "password", "passkey_answer"), json=True,
             states=("anonymous", "half", "logged_in", "stale"), acts_for=("logged_in", "member")),
    Endpoint("api_orders", "/api/orders/", (), json=True),
    Endpoint("admin_user_tools", "/admin/auth/user/{}/two-factor/reset/", ("reason",), states=("logged_in",)),
    Endpoint("admin_require_reset", "/admin/auth/user/{}/password-reset/require/", ("mode", "reason"),
             states=("logged_in",)),
    Endpoint("admin_end_sessions", "/admin/auth/user/{}/sessions/end/", ("reason",), states=("logged_in",)),
    # the Group admin: a superuser whose code is stale must give a fresh one before any change
    Endpoint("group_add", "/admin/auth/group/add/", ("name", "permissions", "_ssa_reauth", "otp_token"),
             states=("anonymous", "half", "logged_in", "stale"), as_superuser=True, acts_for=("logged_in",)),
    Endpoint("group_change", "/admin/auth/group/{group}/change/", ("name", "permissions", "_ssa_reauth"),
             states=("anonymous", "half", "logged_in", "stale"), as_superuser=True, acts_for=("logged_in",)),
    Endpoint("group_delete", "/admin/auth/group/{group}/delete/", ("post", "_ssa_reauth"),
             states=("anonymous", "half", "logged_in", "stale"), as_superuser=True, acts_for=("logged_in",)),
    Endpoint("campaign_progress", "/admin/secure_shopadmin/campaign/{}/progress.json/", (),
             states=("anonymous", "half", "logged_in", "stale"), as_superuser=True),
]


@st.composite
def requests(draw, endpoint):
    """(method, url, body, content type, extra headers) for one request to ``endpoint``."""
    token = draw(segment)
    method = draw(st.sampled_from(["POST", "GET"] if endpoint.get_too else ["POST"]))
    names = list(endpoint.fields) + draw(st.lists(text, max_size=2))
    values = {name: draw(text) for name in names}
    headers = {}
    if draw(st.booleans()):
        # a WSGI or ASGI server hands header values over decoded as latin-1: nothing above U+00FF
        value = draw(text).encode("latin-1", "replace").decode("latin-1")
        headers["HTTP_AUTHORIZATION"] = draw(st.sampled_from(["Token ", "Basic ", "Bearer "])) + value
    if method == "GET":
        return method, endpoint.url(token), values, None, headers
    if endpoint.json:
        kind = draw(st.sampled_from(["object", "any", "raw", "form"]))
        if kind == "object":
            return method, endpoint.url(token), json.dumps(values), "application/json", headers
        if kind == "any":
            return method, endpoint.url(token), json.dumps(draw(json_values)), "application/json", headers
        if kind == "raw":
            body = draw(st.binary(max_size=60))
            return method, endpoint.url(token), body, draw(st.sampled_from(["application/json", "text/plain"])), headers
    return method, endpoint.url(token), values, "form", headers
