"""Absolute URLs for links in mails and pages, from the one base URL, ``SITE_URL``.

A link is never built from the request's ``Host`` header when a base URL is configured: a
password holder could otherwise have the victim's enrolment or reset link point at his host.
Only with no base URL set (development: ``check --deploy`` errors without one) does a request's
own address serve.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from ..conf import app_settings


class MissingSiteURL(ImproperlyConfigured):
    """No base URL is configured and no request can stand in for one."""

    def __init__(self):
        super().__init__('Set SECURE_SHOPADMIN["SITE_URL"] (e.g. "https://shop.example") to mail links.')


def configured_base_url():
    """``SITE_URL`` (or its deprecated alias ``RESET_BASE_URL``) without a trailing slash, or ""."""
    return (app_settings.SITE_URL or app_settings.RESET_BASE_URL or "").rstrip("/")


def base_url(request=None):
    """The scheme and host links start with: the configured one, else the request's own."""
    configured = configured_base_url()
    if configured:
        return configured
    if request is None:
        raise MissingSiteURL()
    return request.build_absolute_uri("/").rstrip("/")


def url_from(base, path):
    """``path`` under ``base`` (a base chosen for one campaign), else under :func:`base_url`."""
    return (base or base_url()).rstrip("/") + path


def absolute_url(request, viewname, *args):
    return base_url(request) + reverse(viewname, args=args)
