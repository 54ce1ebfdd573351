"""Absolute URLs for links in mails, with or without a request."""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .conf import app_settings


def absolute_url(request, viewname, *args):
    path = reverse(viewname, args=args)
    if request is not None:
        return request.build_absolute_uri(path)
    if not app_settings.SITE_URL:
        raise ImproperlyConfigured('Set SECURE_SHOPADMIN["SITE_URL"] to mail links from outside a request.')
    return app_settings.SITE_URL.rstrip("/") + path
