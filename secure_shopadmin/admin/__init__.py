"""The Security section of the admin: one module per capability."""

from . import audit, resets, twofactor  # noqa: F401
