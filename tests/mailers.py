"""Choosing the mail backend in a test on every supported Django (6.1 replaced EMAIL_BACKEND by MAILERS)."""

import django

HAS_MAILERS = django.VERSION >= (6, 1)


def mail_settings(backend, **options):
    """The settings that make ``backend`` (with ``options``, e.g. ``file_path``) the default mailer."""
    if HAS_MAILERS:
        return {"MAILERS": {"default": {"BACKEND": backend, "OPTIONS": options}}}
    return {"EMAIL_BACKEND": backend, **{f"EMAIL_{name.upper()}": value for name, value in options.items()}}


def use_mail_backend(settings, backend, **options):
    """Make ``backend`` (with ``options``) the default mailer for this test (pytest-django's ``settings`` fixture)."""
    for name, value in mail_settings(backend, **options).items():
        setattr(settings, name, value)
