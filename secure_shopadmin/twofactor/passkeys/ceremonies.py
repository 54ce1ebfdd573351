"""The two WebAuthn ceremonies, registration and sign-in: options for the browser, and checking its answer.

Each ceremony's challenge is kept in the session, bound to the user and to a deadline, and taken
out before the answer is checked, so it serves once whatever the outcome. The relying party is
:func:`.relying_party.relying_party` (``SITE_URL``), never the request's Host. User verification
is *preferred*: asked for, not required, as a second factor after the password; a sign-in passkey
(``sign_in=True``) is registered with it *required* and as a discoverable credential, and signs in
alone through :mod:`.signin`.

A refused answer raises :class:`PasskeyRefused`; malformed input never escapes as another error.
"""

import hashlib
import json
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ...audit.models import EventKind
from ...audit.services import record
from ...conf import app_settings
from ...core import crypto, sessions
from .models import PasskeyDevice
from .relying_party import relying_party

REGISTRATION = "registration"
AUTHENTICATION = "authentication"
SIGN_IN_REGISTRATION = "sign_in_registration"
SIGN_IN = "sign_in"
SESSION_KEYS = {REGISTRATION: "_ssa_passkey_registration", AUTHENTICATION: "_ssa_passkey_authentication",
                SIGN_IN_REGISTRATION: "_ssa_passkey_sign_in_registration", SIGN_IN: "_ssa_passkey_sign_in"}
#: an answer larger than this is refused unread (a real one is a few kilobytes)
MAX_ANSWER_LENGTH = 64 * 1024
#: what py_webauthn and its parsers raise on malformed or forged input
MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)
KNOWN_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
ROAMING_TRANSPORTS = {"usb", "nfc", "ble"}


class PasskeyRefused(Exception):
    """The browser's answer proves nothing. ``reason`` names the failed check (for logs and tests;
    the user is shown one message whatever it is)."""

    def __init__(self, reason, device=None):
        super().__init__(reason)
        self.reason = reason
        self.device = device


def passkeys(user):
    return PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def sign_in_passkeys(user):
    return passkeys(user).filter(sign_in=True)


def has_passkey(user):
    return PasskeyDevice.objects.filter(user=user, confirmed=True).exists()


def user_handle(user):
    """The opaque user id given to authenticators: a keyed digest of the primary key (no name, no address)."""
    return bytes.fromhex(crypto.digest(str(user.pk), "passkey-user-handle"))


def credential_digest(raw_id):
    return hashlib.sha256(raw_id).hexdigest()


def descriptor(device):
    transports = [AuthenticatorTransport(t) for t in device.transports if t in KNOWN_TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(device.credential_id), transports=transports or None)


def timeout_ms():
    return int(app_settings.PASSKEY_CEREMONY_TIMEOUT) * 1000


# --- the challenge, kept in the session ----------------------------------------------------------

def bound_to(user):
    """Whom a challenge is for: a user's pk, or "" for a sign-in where nobody is named yet."""
    return "" if user is None else str(user.pk)


def remember_challenge(request, ceremony, challenge, user):
    request.session[SESSION_KEYS[ceremony]] = {
        "challenge": bytes_to_base64url(challenge), "user": bound_to(user),
        "expires": time.time() + int(app_settings.PASSKEY_CEREMONY_TIMEOUT),
    }


def take_challenge(request, ceremony, user):
    """The ceremony's challenge, removed from the session (and the session saved) before any check."""
    state = request.session.pop(SESSION_KEYS[ceremony], None)
    sessions.save_now(request.session)
    if not isinstance(state, dict) or state.get("user") != bound_to(user):
        raise PasskeyRefused("no_challenge")
    if not isinstance(state.get("expires"), (int, float)) or state["expires"] < time.time():
        raise PasskeyRefused("challenge_expired")
    return base64url_to_bytes(state["challenge"])


def parse(answer, parser):
    if not isinstance(answer, (str, bytes)) or not answer or len(answer) > MAX_ANSWER_LENGTH:
        raise PasskeyRefused("malformed")
    try:
        return parser(answer)
    except MALFORMED:
        raise PasskeyRefused("malformed") from None


# --- registration --------------------------------------------------------------------------------

def registration_options(request, user, *, sign_in=False):
    """``PublicKeyCredentialCreationOptions`` as JSON-ready data; the challenge is kept in the session.

    ``sign_in``: a passkey that may sign in alone, so a discoverable credential and user verification
    are *required* (the authenticator refuses rather than make a lesser one); only the user's sign-in
    passkeys are excluded, so a second-factor key can be registered again as a sign-in passkey.
    """
    rp = relying_party()
    required = ResidentKeyRequirement.REQUIRED, UserVerificationRequirement.REQUIRED
    second_factor = ResidentKeyRequirement.DISCOURAGED, UserVerificationRequirement.PREFERRED
    resident_key, user_verification = required if sign_in else second_factor
    excluded = sign_in_passkeys(user) if sign_in else passkeys(user)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user_handle(user), user_name=user.get_username(),
        user_display_name=getattr(user, "get_full_name", str)() or user.get_username(),
        timeout=timeout_ms(), attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=resident_key, user_verification=user_verification,
        ),
        exclude_credentials=[descriptor(device) for device in excluded],
    )
    remember_challenge(request, SIGN_IN_REGISTRATION if sign_in else REGISTRATION, options.challenge, user)
    data = json.loads(options_to_json(options))
    if sign_in:
        data["extensions"] = {"credProps": True}  # the browser tells whether the credential is discoverable
    return data


def default_name(user, transports):
    label = _("Security key") if set(transports) & ROAMING_TRANSPORTS and "internal" not in transports \
        else _("Passkey")
    count = PasskeyDevice.objects.filter(user=user).count()
    return f"{label} {count + 1}" if count else str(label)


def register(request, user, answer, name="", *, sign_in=False):
    """Check the browser's answer to :func:`registration_options` and keep the new credential.

    Returns the :class:`PasskeyDevice`; raises :class:`PasskeyRefused` (wrong challenge, origin or
    RP id, malformed, or a credential already registered; for ``sign_in``, no user verification or
    a credential the browser says is not discoverable).
    """
    challenge = take_challenge(request, SIGN_IN_REGISTRATION if sign_in else REGISTRATION, user)
    credential = parse(answer, parse_registration_credential_json)
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, require_user_verification=sign_in,
        )
    except MALFORMED:
        raise PasskeyRefused("registration_invalid") from None
    if sign_in and not reported_discoverable(answer):
        raise PasskeyRefused("not_discoverable")
    transports = sorted({t.value for t in credential.response.transports or ()} & KNOWN_TRANSPORTS)
    try:
        with transaction.atomic():
            device = PasskeyDevice.objects.create(
                user=user, name=(name or "").strip()[:64] or default_name(user, transports), confirmed=True,
                credential_id=bytes_to_base64url(verified.credential_id),
                credential_digest=credential_digest(verified.credential_id),
                public_key=verified.credential_public_key, sign_count=verified.sign_count, transports=transports,
                sign_in=sign_in,
            )
    except IntegrityError:
        raise PasskeyRefused("credential_taken") from None
    signs_in = {"sign_in": True} if sign_in else {}
    record(EventKind.PASSKEY_ADDED, request=request, actor=user, target=user, passkey=device.name, **signs_in)
    return device


def reported_discoverable(answer):
    """False when the browser's ``credProps`` extension says the credential is not discoverable.

    A browser that does not report it was still asked for ``residentKey: required``, which an
    authenticator must refuse rather than ignore; only an explicit ``rk: false`` is taken as a no.
    """
    try:
        extensions = json.loads(answer).get("clientExtensionResults") or {}
        return (extensions.get("credProps") or {}).get("rk") is not False
    except (ValueError, AttributeError, TypeError):
        return False


# --- sign-in (an assertion) ----------------------------------------------------------------------

def authentication_options(request, user):
    """``PublicKeyCredentialRequestOptions`` naming ``user``'s passkeys; the challenge is kept in the session."""
    rp = relying_party()
    options = generate_authentication_options(
        rp_id=rp.id, timeout=timeout_ms(), user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[descriptor(device) for device in passkeys(user)],
    )
    remember_challenge(request, AUTHENTICATION, options.challenge, user)
    return json.loads(options_to_json(options))


def verify_assertion(request, user, answer):
    """The passkey of ``user`` that signed this session's challenge; raises :class:`PasskeyRefused`.

    The signature is checked first (py_webauthn is given a stored counter of 0, so it skips its own
    counter test), then :func:`claim_counter` compares the counters: a counter that did not grow
    behind a valid signature can only come from a copy of the private key, and is audited as such.
    """
    challenge = take_challenge(request, AUTHENTICATION, user)
    credential = parse(answer, parse_authentication_credential_json)
    device = passkeys(user).filter(credential_digest=credential_digest(credential.raw_id)).first()
    if device is None:
        raise PasskeyRefused("unknown_credential")
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=bytes(device.public_key),
            credential_current_sign_count=0, require_user_verification=False,
        )
    except MALFORMED:
        raise PasskeyRefused("assertion_invalid", device) from None
    claim_counter(request, device, verified.new_sign_count)
    return device


def claim_counter(request, device, received):
    """Store the assertion's counter if it is higher than the stored one (compare-and-set, so two
    requests cannot both claim it); both 0 means an authenticator without a counter. Otherwise the
    key is taken for a clone: refused and audited."""
    stored = device.sign_count
    now = timezone.now()
    rows = PasskeyDevice.objects.filter(pk=device.pk)
    if received == 0 and stored == 0:
        claimed = rows.filter(sign_count=0).update(last_used_at=now)
    elif received > stored:
        claimed = rows.filter(sign_count__lt=received).update(sign_count=received, last_used_at=now)
    else:
        claimed = 0
    if not claimed:
        record(EventKind.PASSKEY_CLONE_DETECTED, request=request, target=device.user,
               passkey=device.name, stored_counter=stored, received_counter=received)
        raise PasskeyRefused("counter_not_increased", device)
    device.sign_count, device.last_used_at = max(stored, received), now


# --- the user's own list ---------------------------------------------------------------------------

def rename(user, pk, name):
    """Give ``user``'s passkey ``pk`` a new label; False when there is no such passkey or no name."""
    name = (name or "").strip()[:64]
    return bool(name) and bool(PasskeyDevice.objects.filter(user=user, pk=pk).update(name=name))


def remove(user, pk, *, request=None, actor=None, reason=""):
    """Delete ``user``'s passkey ``pk`` and audit it; returns the removed device's name, or None.

    Ending the user's sessions and mailing them is the caller's part (as for every device removal).
    """
    device = PasskeyDevice.objects.filter(user=user, pk=pk).first()
    if device is None:
        return None
    device.delete()
    record(EventKind.PASSKEY_REMOVED, request=request, actor=actor, target=user, reason=reason, passkey=device.name)
    return device.name
