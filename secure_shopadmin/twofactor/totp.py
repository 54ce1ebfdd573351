"""Authenticator apps: creating a pending device, its QR code, and checking a code (RFC 6238)."""

import base64
import secrets
from urllib.parse import quote, urlencode

import segno

from ..conf import app_settings
from ..core import crypto
from ..core.mail import shop_name
from .models import AuthenticatorDevice

KEY_BYTES = 20


def pending_device(user):
    """The user's unconfirmed device (its secret made now, encrypted at rest, never in the session)."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name="Authenticator", confirmed=False,
            key_encrypted=crypto.encrypt(secrets.token_bytes(KEY_BYTES)),
        )
    return device


def base32_key(device):
    return base64.b32encode(device.key).decode("ascii").rstrip("=")


def grouped_key(device):
    key = base32_key(device)
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def provisioning_uri(device):
    issuer = app_settings.TOTP_ISSUER or shop_name()
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode({"secret": base32_key(device), "issuer": issuer, "digits": device.digits,
                        "period": device.step, "algorithm": "SHA1"})
    return f"otpauth://totp/{label}?{params}"


def qr_svg(device):
    """The provisioning URI as an inline SVG (no Pillow). It carries a viewBox and no width or height, so
    the page's CSS scales the whole code, quiet zone included, instead of cropping it."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(
        scale=4, dark="#000", light="#fff", omitsize=True)
