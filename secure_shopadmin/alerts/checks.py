"""System checks of the alerts' settings (E05x/W05x). None queries the database."""

from django.core import checks

from ..conf import SETTINGS_NAME, app_settings


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
