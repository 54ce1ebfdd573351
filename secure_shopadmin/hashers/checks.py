"""System checks of the hashers' settings. None queries the database."""

from django.conf import settings
from django.core import checks

from ..conf import SETTINGS_NAME, app_settings
from . import LEGACY_HASHER_PATHS, WRAPPED_HASHER_PATH
from .peppers import PEPPERS
from .wrapped import Argon2Params, below_owasp_minimum, preferred_params


def _message(id_, msg, hint, level=checks.Error):
    return level(msg, hint=hint, id=f"secure_shopadmin.{id_}")


@checks.register(checks.Tags.security)
def check_legacy_peppers(app_configs=None, **kwargs):
    peppers = app_settings.LEGACY_PEPPERS
    setting = f'{SETTINGS_NAME}["LEGACY_PEPPERS"]'
    if not isinstance(peppers, dict):
        return [_message("E101", f"{setting} must be a dict.", f"Write {setting} = {{'eccube': '...'}}.")]
    errors = []
    unknown = sorted(str(key) for key in set(peppers) - set(PEPPERS))
    if unknown:
        errors.append(_message("E102", f"Unknown keys in {setting}: {', '.join(unknown)}.",
                               f"Known keys: {', '.join(PEPPERS)}."))
    for name, value in peppers.items():
        if name in PEPPERS and (not isinstance(value, str) or not value):
            errors.append(_message("E103", f'{setting}["{name}"] must be a non-empty string.',
                                   f"Copy the old platform's {PEPPERS[name]} into it."))
    return errors


@checks.register(checks.Tags.security)
def check_wrap_params(app_configs=None, **kwargs):
    value = app_settings.WRAP_ARGON2_PARAMS
    setting = f'{SETTINGS_NAME}["WRAP_ARGON2_PARAMS"]'
    try:
        params = preferred_params() if value is None else Argon2Params(*value)
    except (TypeError, ValueError):
        return [_message("E104", f"{setting} must be None or (time_cost, memory_cost KiB, parallelism) integers "
                                 "in range.", "Leave it unset for OWASP's minimum, (2, 19456, 1).")]
    if below_owasp_minimum(params):
        source = setting if value is not None else f"{setting} is None and the preferred argon2 hasher"
        return [_message("W102", f"{source}: time cost {params.time_cost} with {params.memory_cost} KiB is below "
                                 "OWASP's minimum for argon2id; wrapped hashes would be cheap to crack.",
                         "Use at least t=2 with 19456 KiB (or t=1/47104, t=3/12288, t=4/9216, t=5/7168): leave "
                         "the key unset for (2, 19456, 1).", level=checks.Warning)]
    return []


@checks.register(checks.Tags.security)
def check_wrapped_hasher_listed(app_configs=None, **kwargs):
    hashers = list(getattr(settings, "PASSWORD_HASHERS", []))
    if any(path in hashers for path in LEGACY_HASHER_PATHS) and WRAPPED_HASHER_PATH not in hashers:
        return [_message("W101", "PASSWORD_HASHERS lists legacy hashers but not the wrapped one.",
                         f"Add '{WRAPPED_HASHER_PATH}', or users whose hash was wrapped cannot log in. "
                         "secure_shopadmin.hashers.recommended_hashers() lists both.", level=checks.Warning)]
    return []


@checks.register(checks.Tags.security)
def check_failed_login_padding(app_configs=None, **kwargs):
    if app_settings.FAILED_LOGIN_PADDING in ("slowest", "preferred"):
        return []
    return [_message("E105", f'{SETTINGS_NAME}["FAILED_LOGIN_PADDING"] must be "slowest" or "preferred".',
                     'Leave it unset ("slowest"): no failed login tells which accounts hold a slow legacy hash.')]
