"""Facts about a request that several stages need: is it an API request, is it for a static file."""

from django.conf import settings

from ..conf import app_settings


def is_api_request(request):
    request = getattr(request, "_request", request)  # a DRF Request
    return any(request.path_info.startswith(prefix) for prefix in app_settings.API_PREFIXES)


def is_static_request(request):
    static_url = settings.STATIC_URL or ""
    if not static_url or "://" in static_url or ".." in request.path_info:
        return False
    return request.path_info.startswith("/" + static_url.lstrip("/"))
