"""Signing in with a passkey alone: a discoverable credential, and user verification required.

A sign-in passkey stands for the password and the second factor together: the authenticator holds
the private key (something the user has) and releases a signature only after a PIN or biometric
check (something the user knows or is), and the signature is bound to the shop's origin. So an
assertion passes only with the UV flag set, from a credential registered for sign-in
(``PasskeyDevice.sign_in``): a second-factor key that proves mere presence is never enough alone.

The ceremony is checked in two parts, so the guard can reserve its slot in between:
:func:`claim` takes the challenge out of the session, parses the answer and finds the credential it
names (one query, no signature checked); :func:`verify` checks everything else. An unknown
credential is checked against a stand-in key, so its answer takes as long as a known one's.
"""

import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from webauthn import generate_authentication_options, options_to_json, verify_authentication_response
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.structs import UserVerificationRequirement

from ...core import crypto
from .ceremonies import (
    MALFORMED,
    SIGN_IN,
    PasskeyRefused,
    claim_counter,
    credential_digest,
    descriptor,
    parse,
    remember_challenge,
    sign_in_passkeys,
    take_challenge,
    timeout_ms,
    user_handle,
)
from .models import PasskeyDevice
from .relying_party import relying_party

#: what the guard counts an answer against when it names no credential the shop knows
UNKNOWN_ACCOUNT_PREFIX = "passkey:"


def stand_in_key():
    """A COSE ES256 public key nobody holds the private half of (a fresh one per process)."""
    numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    coordinate = b"\x58\x20"  # CBOR: a 32-byte string follows
    return (b"\xa5\x01\x02\x03\x26\x20\x01\x21" + coordinate + numbers.x.to_bytes(32, "big")
            + b"\x22" + coordinate + numbers.y.to_bytes(32, "big"))


STAND_IN_KEY = stand_in_key()


@dataclass
class Claim:
    """What an answer says before its signature is checked."""

    credential: object = None  # py_webauthn's AuthenticationCredential, None when malformed
    challenge: bytes = None
    device: PasskeyDevice = None  # the credential it names, if the shop knows it
    refused: str = ""  # a reason found before the signature: no challenge, malformed

    @property
    def account(self):
        """Whom the guard counts this attempt against: the credential's account, else the credential."""
        if self.device is not None:
            return self.device.user.get_username()
        raw_id = getattr(self.credential, "raw_id", b"") or b""
        return UNKNOWN_ACCOUNT_PREFIX + crypto.digest(credential_digest(raw_id), "passkey-unknown")[:32]


def options(request, user=None):
    """Request options for a sign-in passkey, with ``userVerification: required``; the challenge is kept.

    With no ``user`` (the login page) no credential is named: the browser offers the discoverable
    ones it holds for the shop, in a dialog or in the username field (conditional UI). With a
    ``user`` (a confirmation while logged in) only that user's sign-in passkeys are named.
    """
    rp = relying_party()
    allowed = [descriptor(device) for device in sign_in_passkeys(user)] if user is not None else []
    generated = generate_authentication_options(
        rp_id=rp.id, timeout=timeout_ms(), user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=allowed,
    )
    remember_challenge(request, SIGN_IN, generated.challenge, user)
    return json.loads(options_to_json(generated))


def claim(request, answer, user=None):
    """Take the challenge (spent whatever follows), parse ``answer`` and find its credential: a :class:`Claim`."""
    found = Claim()
    try:
        found.challenge = take_challenge(request, SIGN_IN, user)
    except PasskeyRefused as refusal:
        found.refused = refusal.reason
    try:
        found.credential = parse(answer, parse_authentication_credential_json)
    except PasskeyRefused as refusal:
        found.refused = found.refused or refusal.reason
        return found
    found.device = (PasskeyDevice.objects.filter(credential_digest=credential_digest(found.credential.raw_id),
                                                 confirmed=True).select_related("user").first())
    return found


def verify(request, found, user=None):
    """The sign-in passkey that signed the challenge of ``found`` (a :class:`Claim`); raises :class:`PasskeyRefused`.

    Refused: no challenge or a malformed answer, an unknown credential, a bad signature, another
    RP id or origin, a foreign challenge, no UV flag, a second-factor-only credential, a user handle
    that is not the credential's user's, another ``user``'s credential, an inactive user, and a
    counter that did not grow (a clone: audited by :func:`.ceremonies.claim_counter`).
    """
    if found.refused:
        raise PasskeyRefused(found.refused)
    device = found.device
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=found.credential, expected_challenge=found.challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=bytes(device.public_key) if device else STAND_IN_KEY,
            credential_current_sign_count=0, require_user_verification=False,
        )
    except MALFORMED:
        raise PasskeyRefused("assertion_invalid" if device else "unknown_credential", device) from None
    if device is None:
        raise PasskeyRefused("unknown_credential")
    refusal = refusal_reason(found, device, verified, user)
    if refusal:
        raise PasskeyRefused(refusal, device)
    claim_counter(request, device, verified.new_sign_count)
    return device


def refusal_reason(found, device, verified, user):
    """Why a validly signed assertion still may not sign in, or ""."""
    if not verified.user_verified:
        return "no_user_verification"
    if not device.sign_in:
        return "not_for_sign_in"
    handle = found.credential.response.user_handle
    if handle is not None and not crypto.constant_time_equal(handle, user_handle(device.user)):
        return "user_handle_mismatch"
    if user is not None and device.user_id != user.pk:
        return "another_user"
    if not device.user.is_active:
        return "inactive_user"
    return ""
