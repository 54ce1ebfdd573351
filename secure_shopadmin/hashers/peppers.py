"""Site-wide secrets of an old platform, read from ``SECURE_SHOPADMIN["LEGACY_PEPPERS"]``.

EC-CUBE mixes its ``AUTH_MAGIC`` into every hash and PrestaShop its ``_COOKIE_KEY_``; without the
value no such hash can be checked, so a missing one is an error naming the setting.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from ..conf import SETTINGS_NAME, app_settings

#: pepper name -> what the old platform called it
PEPPERS = {
    "eccube": "AUTH_MAGIC (EC-CUBE: data/config/config.php or .env ECCUBE_AUTH_MAGIC)",
    "prestashop": "_COOKIE_KEY_ (PrestaShop: config/settings.inc.php)",
}


def setting_name(name):
    return f'{SETTINGS_NAME}["LEGACY_PEPPERS"]["{name}"]'


def pepper(name):
    """The pepper ``name`` as bytes; ImproperlyConfigured naming the setting when it is missing."""
    peppers = app_settings.LEGACY_PEPPERS
    value = peppers.get(name) if isinstance(peppers, dict) else None
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(
            gettext("%(setting)s is not set: copy the old platform's %(source)s into it.")
            % {"setting": setting_name(name), "source": PEPPERS[name]}
        )
    return value.encode()
