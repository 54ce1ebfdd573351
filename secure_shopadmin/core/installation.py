"""The apps secure_shopadmin builds on, and which of them the running site lacks.

Without django-otp and django-axes installed, the app's admin modules and receivers cannot load
(their models need those apps); the app then loads only its system checks, which name what is missing.
"""

from django.apps import apps

REQUIRED_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_otp",
    "axes",
)
#: the one line that adds every app, middleware, backend, hasher and setting the app needs
QUICKSTART_LINE = "import secure_shopadmin.quickstart; secure_shopadmin.quickstart.configure(globals())"


def missing_apps():
    """The required apps the site's INSTALLED_APPS lacks, in the order above."""
    return [name for name in REQUIRED_APPS if not apps.is_installed(name)]
