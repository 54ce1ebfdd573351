"""Every redirect of the app's views and middleware goes through :func:`safe_redirect`.

A target is first resolved like Django's ``redirect()`` shortcut (a URL name, a model, a path),
then checked with ``url_has_allowed_host_and_scheme`` against the request's own host: a path that
a request made up (``//evil.example/phish``, ``/\\evil.example``) or any other host falls back to
a local page, never off-site.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_url(request, to, *args, fallback="/", **kwargs):
    """``to`` resolved to a URL if it stays on this site, else ``fallback`` (resolved too)."""
    try:
        url = resolve_url(to, *args, **kwargs) if to else ""
    except NoReverseMatch:  # "javascript:…" looks like a URL name to resolve_url
        url = ""
    if is_safe(request, url):
        return url
    fallback_url = resolve_url(fallback)
    return fallback_url if is_safe(request, fallback_url) else "/"


def safe_redirect(request, to, *args, fallback="/", **kwargs):
    """Django's ``redirect(to, …)``, but only to this site: an off-site target goes to ``fallback``."""
    return HttpResponseRedirect(safe_url(request, to, *args, fallback=fallback, **kwargs))
