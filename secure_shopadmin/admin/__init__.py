"""The Security section of the admin: one module per capability."""

from . import audit  # noqa: F401
