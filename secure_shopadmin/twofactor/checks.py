"""System checks of the second factor's settings (E02x/W02x). None queries the database."""

from django.core import checks

from ..conf import SETTINGS_NAME, app_settings
from .passkeys import relying_party

POLICY_KEYS = {"superusers", "staff", "members", "groups", "permissions"}


def _setting(name):
    return f'{SETTINGS_NAME}["{name}"]'


def names_anyone(policy):
    return isinstance(policy, dict) and any(policy.get(key) for key in POLICY_KEYS)


@checks.register(checks.Tags.security)
def check_phishing_resistant_policy(app_configs=None, **kwargs):
    policy = app_settings.REQUIRE_PHISHING_RESISTANT
    if policy in (None, False):
        return []
    if not isinstance(policy, dict) or set(policy) - POLICY_KEYS:
        return [checks.Error(
            f"{_setting('REQUIRE_PHISHING_RESISTANT')} must be a dict with the keys of TWO_FACTOR_POLICY.",
            hint=f"Known keys: {', '.join(sorted(POLICY_KEYS))}; e.g. {{'superusers': True, 'groups': ['owner']}}.",
            id="secure_shopadmin.E021")]
    problem = relying_party.problem()
    if names_anyone(policy) and problem:
        return [checks.Error(
            f"{_setting('REQUIRE_PHISHING_RESISTANT')} names users who must verify with a passkey, but {problem}",
            hint="Set SITE_URL to the https:// URL the staff open (http://localhost only in development).",
            id="secure_shopadmin.E022")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_passkeys_available(app_configs=None, **kwargs):
    """``check --deploy``: say why passkeys are not offered, when they are not."""
    problem = relying_party.problem()
    if problem and not names_anyone(app_settings.REQUIRE_PHISHING_RESISTANT):
        return [checks.Warning(
            f"Passkeys and security keys are not offered: {problem}",
            hint="Set SITE_URL to the site's https:// URL to offer the phishing-resistant second factor.",
            id="secure_shopadmin.W021")]
    return []
