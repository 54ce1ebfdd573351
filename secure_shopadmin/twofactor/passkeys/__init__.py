"""Passkeys and security keys (WebAuthn): a phishing-resistant second factor on django-otp's device model.

The cryptography (attestation and assertion parsing, COSE keys, signatures) is py_webauthn's (the
``webauthn`` package); this sub-package keeps the device model, the relying party taken from
``SITE_URL``, the single-use challenges in the session and the sign-counter check.
"""
