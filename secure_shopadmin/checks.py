"""System checks: what a host project is missing or has in the wrong order. None queries the database."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import checks
from django.utils.module_loading import import_string

from .conf import DEFAULTS, SETTINGS_NAME, app_settings
from .core import crypto
from .core.installation import QUICKSTART_LINE, missing_apps
from .core.links import configured_base_url

OUR_MIDDLEWARE = "secure_shopadmin.middleware.SecureShopAdminMiddleware"
#: middleware that must come before ours, in this order
MIDDLEWARE_BEFORE_OURS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
)
AXES_MIDDLEWARE = "axes.middleware.AxesMiddleware"
AXES_BACKENDS = ("axes.backends.AxesStandaloneBackend", "axes.backends.AxesBackend")


def _error(id_, msg, hint, level=checks.Error):
    return level(msg, hint=hint, id=f"secure_shopadmin.{id_}")


def _or_quickstart(hint):
    """A hint for what configure() adds: the fix by hand, or the one line that does it all."""
    return f"{hint} Or add everything the app needs at the end of settings.py: {QUICKSTART_LINE}"


@checks.register(checks.Tags.security)
def check_settings_dict(app_configs=None, **kwargs):
    value = getattr(settings, SETTINGS_NAME, {})
    if not isinstance(value, dict):
        return [_error("E001", f"settings.{SETTINGS_NAME} must be a dict.",
                       f"Write {SETTINGS_NAME} = {{...}} with the keys listed in the settings reference.")]
    unknown = app_settings.unknown_keys()
    if unknown:
        return [_error("E002", f"Unknown {SETTINGS_NAME} keys: {', '.join(unknown)}.",
                       f"Known keys: {', '.join(sorted(DEFAULTS))}. Check the spelling.")]
    return []


@checks.register(checks.Tags.security)
def check_installed_apps(app_configs=None, **kwargs):
    apps = [app.split(".apps.")[0] for app in settings.INSTALLED_APPS]  # "x.apps.XConfig" -> "x"
    missing = missing_apps()
    if missing:
        return [_error("E003", f"INSTALLED_APPS lacks {', '.join(missing)}.",
                       _or_quickstart("secure_shopadmin builds on these apps: add them to INSTALLED_APPS."))]
    if "secure_shopadmin" in apps and apps.index("secure_shopadmin") < apps.index("django.contrib.admin"):
        return [_error("E008", "secure_shopadmin comes before django.contrib.admin in INSTALLED_APPS.",
                       "List secure_shopadmin after django.contrib.admin, so every admin module is loaded "
                       "before it adds its features to the user admin.")]
    return []


@checks.register(checks.Tags.security)
def check_middleware(app_configs=None, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    errors = []
    required = (*MIDDLEWARE_BEFORE_OURS, OUR_MIDDLEWARE, AXES_MIDDLEWARE)
    missing = [m for m in required if m not in middleware]
    if missing:
        errors.append(_error("E004", f"MIDDLEWARE lacks {', '.join(missing)}.",
                             _or_quickstart(f"Add them; {OUR_MIDDLEWARE} goes right after "
                                            f"{MIDDLEWARE_BEFORE_OURS[-1]}.")))
        return errors
    positions = [middleware.index(m) for m in (*MIDDLEWARE_BEFORE_OURS, OUR_MIDDLEWARE)]
    if positions != sorted(positions):
        order = " < ".join((*MIDDLEWARE_BEFORE_OURS, OUR_MIDDLEWARE))
        errors.append(_error("E005", "MIDDLEWARE is in the wrong order for secure_shopadmin.",
                             f"Order them: {order}."))
    return errors


@checks.register(checks.Tags.security)
def check_authentication_backends(app_configs=None, **kwargs):
    backends = list(settings.AUTHENTICATION_BACKENDS)
    if not backends or backends[0] not in AXES_BACKENDS:
        return [_error("E006", f"The first AUTHENTICATION_BACKENDS entry must be django-axes' backend, "
                                      f"{AXES_BACKENDS[0]}.",
                       _or_quickstart(f"Put '{AXES_BACKENDS[0]}' first, so a locked client is refused "
                                      "before any hash."))]
    return []


@checks.register(checks.Tags.security)
def check_password_hashers(app_configs=None, **kwargs):
    hashers = list(getattr(settings, "PASSWORD_HASHERS", []))
    try:
        first = import_string(hashers[0]) if hashers else None
    except ImportError:
        first = None
    if first is None or not issubclass(first, Argon2PasswordHasher):
        return [_error("E007", "The first PASSWORD_HASHERS entry must be argon2id "
                                      "(django.contrib.auth.hashers.Argon2PasswordHasher or a subclass).",
                       _or_quickstart("Use PASSWORD_HASHERS = secure_shopadmin.hashers.recommended_hashers()."))]
    return []


AXES_LOCKOUT_CALLABLE = "secure_shopadmin.lockout.responses.axes_lockout_response"


@checks.register(checks.Tags.security)
def check_axes_settings(app_configs=None, **kwargs):
    if app_settings.AXES_LOCKOUT_CALLABLE != AXES_LOCKOUT_CALLABLE:
        return [_error("W005", "django-axes answers lockouts with its own page, not the pipeline's.",
                       f"Set AXES_LOCKOUT_CALLABLE = '{AXES_LOCKOUT_CALLABLE}' (429, Retry-After, no enumeration).",
                       level=checks.Warning)]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_deployment(app_configs=None, **kwargs):
    warnings = []
    for id_, name, expected in (
        ("W001", "SESSION_COOKIE_SECURE", True),
        ("W002", "SESSION_COOKIE_HTTPONLY", True),
        ("W003", "CSRF_COOKIE_SECURE", True),
    ):
        if getattr(settings, name) is not expected:
            warnings.append(_error(id_, f"{name} is not {expected}.",
                                   f"Set {name} = {expected}: logins and partial logins live in these cookies.",
                                   level=checks.Warning))
    if not app_settings.ENCRYPTION_KEYS:
        warnings.append(_error("E010", 'SECURE_SHOPADMIN["ENCRYPTION_KEYS"] is empty.',
                               "OTP secrets and session keys are then encrypted with a key derived from "
                               "SECRET_KEY. Add a key from cryptography.fernet.Fernet.generate_key(), kept "
                               "out of the code."))
    else:
        try:
            crypto.fernet()
        except Exception as error:  # noqa: BLE001  (reported, not raised)
            warnings.append(_error("E011", str(error), "Each key must come from Fernet.generate_key()."))
    if app_settings.ENROLMENT_WITHOUT_LINK:
        warnings.append(_error("E020", "ENROLMENT_WITHOUT_LINK is on: a leaked password can enrol an authenticator.",
                               'Remove "ENROLMENT_WITHOUT_LINK" from SECURE_SHOPADMIN outside development.'))
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies":
        warnings.append(_error("W004", "Signed-cookie sessions cannot be ended server-side.",
                               "Use the db, cache or cached_db session engine so forced resets end sessions.",
                               level=checks.Warning))
    if not settings.DEBUG and not configured_base_url():
        warnings.append(_error("E012", 'SECURE_SHOPADMIN["SITE_URL"] is not set.',
                               "Set it to the shop's public address (e.g. https://shop.example): every link in a "
                               "mail is built from it, never from the request's Host header."))
    return warnings


@checks.register(checks.Tags.security)
def check_deprecated_settings(app_configs=None, **kwargs):
    if app_settings.RESET_BASE_URL:
        return [_error("W006", 'SECURE_SHOPADMIN["RESET_BASE_URL"] is deprecated.',
                       'Rename it to "SITE_URL": one base URL builds every link (RESET_BASE_URL goes in 0.3).',
                       level=checks.Warning)]
    return []


def _block_names(template, depth=0):
    """The block names a Django template defines, its literal parents' included."""
    from django.template.loader import get_template
    from django.template.loader_tags import BlockNode, ExtendsNode

    names = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    for node in template.nodelist.get_nodes_by_type(ExtendsNode):
        parent = getattr(node.parent_name, "var", None)
        if depth < 10 and isinstance(parent, str):
            names |= _block_names(get_template(parent.strip("'\"")).template, depth + 1)
    return names


@checks.register(checks.Tags.templates)
def check_storefront_base_template(app_configs=None, **kwargs):
    """STOREFRONT_BASE_TEMPLATE loads and defines the blocks the member pages fill."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    name = app_settings.STOREFRONT_BASE_TEMPLATE
    try:
        template = get_template(name)
        names = _block_names(template.template) if hasattr(template, "template") else None
    except TemplateDoesNotExist:
        return [_error("E070", f'SECURE_SHOPADMIN["STOREFRONT_BASE_TEMPLATE"] {name!r} does not exist.',
                       "Name your storefront's base template, or remove the key for the neutral one.")]
    except TemplateSyntaxError as error:
        return [_error("E070", f"STOREFRONT_BASE_TEMPLATE {name!r} cannot be loaded: {error}",
                       "Fix the template's syntax.")]
    missing = [block for block in ("title", "content") if names is not None and block not in names]
    if missing:
        return [_error("W070", f"STOREFRONT_BASE_TEMPLATE {name!r} has no block {', '.join(missing)}.",
                       "The member pages fill the blocks title and content (and extra_head, if present): "
                       "add them to the template.", level=checks.Warning)]
    return []
