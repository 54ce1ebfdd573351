"""Records the passkey answers in ``fixtures/chromium_passkeys.json`` from Chromium's virtual authenticator.

Run by hand (``python -m tests.twofactor.record_chromium_passkeys``), not by the test suite; the
tests replay the file. Two static pages are served on http://localhost:8169 and :8168, each loading
the app's ``passkeys.js``; through the DevTools protocol (``WebAuthn.enable``,
``WebAuthn.addVirtualAuthenticator``) Chromium creates and uses credentials, and the page turns its
answers into JSON with the script's own encoder. Recorded: a registration and two sign-ins of
authenticator A (counters 1 and 2), a sign-in of A on the other origin (same RP id ``localhost``),
and a registration and sign-in of a second authenticator B.
"""

import functools
import http.server
import json
import threading
from pathlib import Path

from webauthn import generate_authentication_options, generate_registration_options, options_to_json
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..browser.conftest import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent.parent / "secure_shopadmin" / "static" / "secure_shopadmin"
OUT = HERE / "fixtures" / "chromium_passkeys.json"
PORTS = (8169, 8168)
PAGE = b'<!doctype html><title>recorder</title><script src="/passkeys.js"></script>'


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 -- http.server's name
        if self.path == "/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


def serve(port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=STATIC))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def creation_options(user_name, user_id):
    options = generate_registration_options(
        rp_id="localhost", rp_name="Example Shop", user_name=user_name, user_id=user_id,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.PREFERRED),
    )
    return json.loads(options_to_json(options))


def request_options(credential_id):
    options = generate_authentication_options(
        rp_id="localhost", user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))],
    )
    return json.loads(options_to_json(options))


CREATE = """options => navigator.credentials.create({publicKey: secureShopadminPasskeys.creationOptions(options)})
    .then(c => secureShopadminPasskeys.credentialJSON(c))"""
GET = """options => navigator.credentials.get({publicKey: secureShopadminPasskeys.requestOptions(options)})
    .then(c => secureShopadminPasskeys.credentialJSON(c))"""


def ceremony(page, script, options):
    return {"challenge": options["challenge"], "answer": json.dumps(page.evaluate(script, options))}


def add_authenticator(cdp):
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})["authenticatorId"]


def record(page, cdp):
    base, other = (f"http://localhost:{port}/" for port in PORTS)
    page.goto(base)
    first = add_authenticator(cdp)
    registration = ceremony(page, CREATE, creation_options("clerk", b"clerk-handle"))
    credential_id = json.loads(registration["answer"])["id"]
    assertions = [ceremony(page, GET, request_options(credential_id)) for _ in range(2)]
    page.goto(other)
    other_origin = ceremony(page, GET, request_options(credential_id))
    page.goto(base)
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    add_authenticator(cdp)
    foreign_registration = ceremony(page, CREATE, creation_options("intruder", b"intruder-handle"))
    foreign_id = json.loads(foreign_registration["answer"])["id"]
    foreign = ceremony(page, GET, request_options(foreign_id))
    return {
        "recorded_with": page.context.browser.version, "rp_id": "localhost", "origin": base.rstrip("/"),
        "other_origin": other.rstrip("/"), "registration": registration, "assertions": assertions,
        "assertion_on_other_origin": other_origin,
        "foreign": {"registration": foreign_registration, "assertion": foreign},
    }


def main():
    from playwright.sync_api import sync_playwright

    servers = [serve(port) for port in PORTS]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context().new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("WebAuthn.enable", {"enableUI": False})
            data = record(page, cdp)
            browser.close()
    finally:
        for server in servers:
            server.shutdown()
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"recorded {OUT.name} with Chromium {data['recorded_with']}")


if __name__ == "__main__":
    main()
