"""System checks of the alerts' settings (E05x/W05x). None queries the database."""

from django.core import checks

from ..conf import SETTINGS_NAME, app_settings
from . import anonymous, challenge, geoip, risk


def _setting(name):
    return f'{SETTINGS_NAME}["{name}"]'


@checks.register(checks.Tags.security)
def check_alert_settings(app_configs=None, **kwargs):
    problems = []
    for name, top in (("IPV4_PREFIX_LENGTH", 32), ("IPV6_PREFIX_LENGTH", 128)):
        value = getattr(app_settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 8 <= value <= top:
            problems.append(checks.Error(
                f"{_setting(name)} must be a whole number of bits between 8 and {top}.",
                hint="The defaults (24 and 64) treat a changed address from the same provider as the same network.",
                id="secure_shopadmin.E050"))
    retention, window = app_settings.LOGIN_RECORD_RETENTION_DAYS, app_settings.FAMILIAR_WINDOW_DAYS
    if isinstance(retention, int) and isinstance(window, int) and retention < window:
        problems.append(checks.Warning(
            f"{_setting('LOGIN_RECORD_RETENTION_DAYS')} ({retention}) is shorter than "
            f"{_setting('FAMILIAR_WINDOW_DAYS')} ({window}): pruned logins stop counting as familiar early.",
            hint="Keep login records at least as long as the familiar window.", id="secure_shopadmin.W051"))
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_security_contacts(app_configs=None, **kwargs):
    """``check --deploy``: staff alerts meant for the security contacts need an address."""
    if (app_settings.LOGIN_HISTORY and app_settings.LOGIN_ALERTS and app_settings.ALERT_STAFF_TO_SECURITY_CONTACTS
            and not app_settings.SECURITY_CONTACTS):
        return [checks.Warning(
            f"Staff login alerts should also reach the security contacts, but {_setting('SECURITY_CONTACTS')} "
            "is empty.", hint="Add the shop's security contact addresses, or set "
            f"{_setting('ALERT_STAFF_TO_SECURITY_CONTACTS')} to False.", id="secure_shopadmin.W052")]
    return []


@checks.register(checks.Tags.security)
def check_risk_settings(app_configs=None, **kwargs):
    """GeoIP files, anonymous-network lists, RISK_POLICY, RISK_CODE_TTL and RISK_ADAPTER (W053-E057)."""
    problems = [checks.Warning(
        f"{_setting('GEOIP_DATABASES')} names {path}, which is {what}.",
        hint=f"Download a fresh copy (docs/risk.rst says where) at least every "
             f"{app_settings.GEOIP_MAX_AGE_DAYS} days ({_setting('GEOIP_MAX_AGE_DAYS')}).",
        id="secure_shopadmin.W053") for path, what in geoip.problems()]
    problems += [checks.Warning(
        f"{_setting('ANONYMOUS_NETWORK_FILES')} names {path}, which is {what}.",
        hint="Remove it from the list or put the file in place.", id="secure_shopadmin.W054")
        for path, what in anonymous.problems()]
    policy = app_settings.RISK_POLICY
    if not isinstance(policy, dict) or any(
            not isinstance(levels, dict) or not set(levels) <= {risk.MEDIUM_LEVEL, risk.HIGH_LEVEL}
            or not set(levels.values()) <= set(risk.ACTIONS) for levels in policy.values()):
        problems.append(checks.Error(
            f"{_setting('RISK_POLICY')} must map a channel to {{level: action}}, levels 'medium' and 'high', "
            f"actions {', '.join(risk.ACTIONS)}.", id="secure_shopadmin.E055"))
    ttl = app_settings.RISK_CODE_TTL
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 60 <= ttl <= challenge.MAX_TTL:
        problems.append(checks.Error(
            f"{_setting('RISK_CODE_TTL')} must be between 60 and {challenge.MAX_TTL} seconds.",
            hint="An e-mailed code lives ten minutes at most (ASVS 5.0 6.5).", id="secure_shopadmin.E056"))
    try:
        risk.adapter()
    except (ImportError, TypeError, ValueError) as error:
        problems.append(checks.Error(f"{_setting('RISK_ADAPTER')} cannot be loaded: {error}",
                                     id="secure_shopadmin.E057"))
    return problems
