"""A software WebAuthn authenticator for tests, built from ``cryptography`` and ``cbor2``.

It answers the server's options as a browser hands an authenticator's answer to the page (the
WebAuthn JSON forms, base64url), with ES256 keys, "none" attestation and a signature counter. Every
field a check looks at can be made wrong on purpose: the origin in clientDataJSON, the RP id whose
hash leads authenticatorData, the counter, the flags.
"""

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SoftAuthenticator:
    def __init__(self, origin, *, counter=0, transports=("usb",), user_verified=True, resident=False):
        self.origin = origin
        self.resident = resident  # a discoverable credential: its answers carry the user handle
        self.user_handle = None
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = counter
        self.counts = counter > 0  # an authenticator without a counter always says 0
        self.transports = list(transports)
        self.user_verified = user_verified

    def clone(self):
        """A copy of this key (same private key and credential id) with its own counter."""
        twin = SoftAuthenticator(self.origin, transports=self.transports, user_verified=self.user_verified)
        twin.key, twin.credential_id = self.key, self.credential_id
        twin.counter, twin.counts = self.counter, self.counts
        twin.resident, twin.user_handle = self.resident, self.user_handle
        return twin

    def cose_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def flags(self, extra=0, *, present=True):
        return (UP if present else 0) | (UV if self.user_verified else 0) | extra

    @staticmethod
    def authenticator_data(rp_id, flags, counter, attested=b""):
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + counter.to_bytes(4, "big") + attested

    def client_data(self, kind, challenge, origin=None):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options, *, origin=None, rp_id=None, rk=None):
        """The answer to ``navigator.credentials.create`` for ``options`` (the server's JSON);
        ``rk``: what the ``credProps`` extension reports (nothing when None)."""
        self.user_handle = options["user"]["id"]
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self.cose_key()
        auth_data = self.authenticator_data(rp_id or options["rp"]["id"], self.flags(AT), self.counter, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {} if rk is None else {"credProps": {"rk": rk}},
            "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                         "transports": self.transports},
        })

    def get(self, options, *, origin=None, rp_id=None, counter=None, present=True, key=None, user_handle=None):
        """The answer to ``navigator.credentials.get``; the counter grows by one unless given."""
        if counter is None:
            if self.counts:
                self.counter += 1
            counter = self.counter
        auth_data = self.authenticator_data(rp_id or options["rpId"], self.flags(present=present), counter)
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = (key or self.key).sign(signed, ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "authenticatorAttachment": "cross-platform", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature),
                         "userHandle": user_handle or (self.user_handle if self.resident else None)},
        })
