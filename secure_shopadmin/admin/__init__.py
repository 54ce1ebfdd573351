"""The Security section of the admin: one module per capability."""

from . import alerts, audit, campaigns, console, lockout, overview, passkeys, resets, twofactor  # noqa: F401
