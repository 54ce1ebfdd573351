"""Add the app to a settings module in one call, at the end of ``settings.py``::

    import secure_shopadmin.quickstart
    secure_shopadmin.quickstart.configure(globals())

:func:`configure` adds what the app needs and keeps what the host set on purpose (a setting
written in the module): the apps, the middleware in their places, django-axes' backend first,
the recommended password hashers and every ``AXES_*`` value the guard relies on. With
``DEBUG`` off it makes the session and CSRF cookies secure (unless the module set them); with
``DEBUG`` on and no mail backend chosen, mails (and their links) are printed in the terminal.
It never touches ``SECURE_SHOPADMIN``. The system checks verify the result exactly as they
verify settings written out by hand (the explicit form: docs/installation).

Importable from a settings module: nothing here needs Django to be set up.
"""

from pathlib import Path

import django

from .hashers import recommended_hashers

APPS = ("django_otp", "axes", "secure_shopadmin")
AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
OTP = "django_otp.middleware.OTPMiddleware"
OURS = "secure_shopadmin.middleware.SecureShopAdminMiddleware"
AXES = "axes.middleware.AxesMiddleware"
AXES_BACKEND = "axes.backends.AxesStandaloneBackend"
BACKENDS = [AXES_BACKEND, "django.contrib.auth.backends.ModelBackend"]
CONSOLE_MAIL = "secure_shopadmin.core.console_mail.EmailBackend"  # the console's, links not broken over lines
DJANGO_CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"

#: the django-axes settings the guard relies on (set unless the module sets them)
AXES_SETTINGS = {
    "AXES_HANDLER": "secure_shopadmin.lockout.handler.GuardHandler",  # reserves a slot before any hash
    "AXES_CLIENT_IP_CALLABLE": "secure_shopadmin.net.client_ip",
    "AXES_LOCKOUT_CALLABLE": "secure_shopadmin.lockout.responses.axes_lockout_response",  # 429, Retry-After
    "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT": False,  # a refused attempt never restarts a cool-off
    "AXES_RESET_ON_SUCCESS": False,  # the pipeline clears counters after the whole login, second factor too
    "AXES_FAILURE_LIMIT": 5,  # failures of one (account, client IP) pair that lock it
    "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
    "AXES_DISABLE_ACCESS_LOG": True,  # the guard reads no access log: no row per login (False keeps axes' log)
    "AXES_SENSITIVE_PARAMETERS": ["username", "ip_address", "password", "otp_token", "token",
                                  "new_password1", "new_password2", "old_password"],
}


#: a folder whose admin/base_site.html adds the language switch to every admin page; put it last in DIRS
ADMIN_TEMPLATES_DIR = str(Path(__file__).resolve().with_name("admin_templates"))
DJANGO_TEMPLATES = "django.template.backends.django.DjangoTemplates"


def configure(namespace):
    """Add secure_shopadmin to the settings in ``namespace`` (a settings module's ``globals()``).

    Changes ``namespace`` in place and returns the names it set or changed, in order.
    """
    changed = []

    def put(name, value):
        if namespace.get(name) != value:
            namespace[name] = value
            changed.append(name)

    put("INSTALLED_APPS", _with_apps(list(namespace.get("INSTALLED_APPS", []))))
    put("MIDDLEWARE", _with_middleware(list(namespace.get("MIDDLEWARE", []))))
    if "AUTHENTICATION_BACKENDS" not in namespace:
        put("AUTHENTICATION_BACKENDS", list(BACKENDS))
    elif not any(str(b).startswith("axes.backends.") for b in namespace["AUTHENTICATION_BACKENDS"]):
        put("AUTHENTICATION_BACKENDS", [AXES_BACKEND, *namespace["AUTHENTICATION_BACKENDS"]])
    if "PASSWORD_HASHERS" not in namespace:
        put("PASSWORD_HASHERS", recommended_hashers())
    for name, value in AXES_SETTINGS.items():
        if name not in namespace:
            put(name, value)
    put("TEMPLATES", _with_admin_templates(namespace.get("TEMPLATES", [])))
    if not namespace.get("DEBUG", False):
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            if name not in namespace:
                put(name, True)
    else:
        _console_mail_in_debug(namespace, put)
    return changed


def _console_mail_in_debug(namespace, put):
    """With ``DEBUG``: mails printed in the terminal, readably, unless the module chose another backend.

    Django's own console backend (what a Django 6.1 ``startproject`` writes) becomes the app's, which
    prints the same mails without breaking their links over lines.
    """
    mailers = namespace.get("MAILERS")
    if isinstance(mailers, dict) and (mailers.get("default") or {}).get("BACKEND") == DJANGO_CONSOLE_MAIL:
        put("MAILERS", {**mailers, "default": {**mailers["default"], "BACKEND": CONSOLE_MAIL}})
    elif namespace.get("EMAIL_BACKEND") == DJANGO_CONSOLE_MAIL:
        put("EMAIL_BACKEND", CONSOLE_MAIL)
    elif "EMAIL_BACKEND" not in namespace and "MAILERS" not in namespace:
        if django.VERSION >= (6, 1):  # MAILERS replaces EMAIL_BACKEND
            put("MAILERS", {"default": {"BACKEND": CONSOLE_MAIL}})
        else:
            put("EMAIL_BACKEND", CONSOLE_MAIL)


def _with_admin_templates(templates):
    """``templates`` with :data:`ADMIN_TEMPLATES_DIR` last in the first Django engine's DIRS (a copy)."""
    templates = [dict(engine) for engine in templates]
    for engine in templates:
        if engine.get("BACKEND") == DJANGO_TEMPLATES:
            dirs = [str(d) for d in engine.get("DIRS", [])]
            if ADMIN_TEMPLATES_DIR not in dirs:
                engine["DIRS"] = [*engine.get("DIRS", []), ADMIN_TEMPLATES_DIR]
            break
    return templates


def _app_name(entry):
    return str(entry).split(".apps.")[0]  # "x.apps.XConfig" -> "x"


def _with_apps(apps):
    present = {_app_name(app) for app in apps}
    return apps + [app for app in APPS if app not in present]


def _with_middleware(middleware):
    """OTP's right after authentication, ours right after OTP's, django-axes' last (those present stay)."""
    if OTP not in middleware and AUTHENTICATION in middleware:
        middleware.insert(middleware.index(AUTHENTICATION) + 1, OTP)
    if OURS not in middleware and OTP in middleware:
        middleware.insert(middleware.index(OTP) + 1, OURS)
    if AXES not in middleware:
        middleware.append(AXES)
    return middleware
