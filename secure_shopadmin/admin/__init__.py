"""The Security section of the admin: one module per capability."""

from . import alerts, audit, campaigns, console, hashers, lockout, overview, passkeys, resets, twofactor  # noqa: F401
