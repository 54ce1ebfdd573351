"""Chromium's virtual WebAuthn authenticators, through the DevTools protocol (no hardware, no prompt)."""


def enable(page):
    """The page's DevTools session with the WebAuthn domain on (the browser shows no passkey dialog)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    return cdp


def add_authenticator(cdp, transport="usb"):
    """Plug in a new security key that touches itself and has a verified PIN; returns its id."""
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": transport, "hasResidentKey": False, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})["authenticatorId"]


def remove_authenticator(cdp, authenticator_id):
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})


def credentials(cdp, authenticator_id):
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def add_passkey_authenticator(cdp, *, user_verified=True):
    """Plug in a platform authenticator that keeps discoverable credentials (passkeys) and checks its
    user (a PIN, a fingerprint): ``user_verified`` False answers without the UV flag, or not at all."""
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "ctap2Version": "ctap2_1", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": user_verified, "automaticPresenceSimulation": True,
    }})["authenticatorId"]


def add_passkey(cdp, authenticator_id, key, rp_id, user_handle):
    """Put the software key ``key`` (tests.twofactor.softkey) into the authenticator as a passkey of ``user_handle``."""
    import base64

    from cryptography.hazmat.primitives import serialization

    pkcs8 = key.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": {
        "credentialId": base64.b64encode(key.credential_id).decode(), "isResidentCredential": True,
        "rpId": rp_id, "privateKey": base64.b64encode(pkcs8).decode(), "signCount": 0,
        "userHandle": base64.b64encode(user_handle).decode(),
    }})
