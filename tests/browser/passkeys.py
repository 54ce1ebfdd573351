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
