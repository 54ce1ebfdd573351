"""System checks of the console's settings (E17x). None queries the database."""

import ipaddress

from django.core import checks

from ..conf import SETTINGS_NAME, app_settings

SECONDS = ("CONSOLE_IDLE_TIMEOUT", "CONSOLE_MAX_AGE", "STOREFRONT_IDLE_TIMEOUT", "STOREFRONT_MAX_AGE",
           "API_TOKEN_MAX_AGE")


def _setting(name):
    return f'{SETTINGS_NAME}["{name}"]'


def _is_seconds(value, *, optional):
    if value is None:
        return optional
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@checks.register(checks.Tags.security)
def check_console_settings(app_configs=None, **kwargs):
    problems = []
    networks = app_settings.CONSOLE_ALLOWED_NETWORKS
    bad = [] if isinstance(networks, (list, tuple)) else [networks]
    for value in networks if not bad else ():
        try:
            ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            bad.append(value)
    if bad:
        problems.append(checks.Error(
            f"{_setting('CONSOLE_ALLOWED_NETWORKS')} must be a list of CIDRs; not one: {bad[0]!r}.",
            hint='For example ["203.0.113.0/24", "2001:db8::/48"]; empty lets any network in.',
            id="secure_shopadmin.E170"))
    for name in (*SECONDS, "REAUTH_MAX_AGE"):
        if not _is_seconds(getattr(app_settings, name), optional=name != "REAUTH_MAX_AGE"):
            problems.append(checks.Error(
                f"{_setting(name)} must be a positive whole number of seconds"
                f"{'' if name == 'REAUTH_MAX_AGE' else ' or None'}.", id="secure_shopadmin.E171"))
    names = app_settings.PASSIVE_URL_NAMES
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        problems.append(checks.Error(f"{_setting('PASSIVE_URL_NAMES')} must be a list of URL names.",
                                     hint='For example ["shop:order_status_json"].', id="secure_shopadmin.E172"))
    return problems
