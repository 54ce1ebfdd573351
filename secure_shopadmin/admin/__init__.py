"""The Security section of the admin: one module per capability.

A site that lacks the apps these modules build on gets no Security section: the system checks name
what is missing instead of the admin's autodiscovery failing on those apps' models.
"""

from ..core.installation import missing_apps

if not missing_apps():
    from . import alerts, audit, campaigns, console, hashers, lockout, overview, passkeys, resets, twofactor  # noqa: F401
