"""The Security section of the admin: one module per capability."""

from . import alerts, audit, campaigns, lockout, overview, resets, twofactor  # noqa: F401
