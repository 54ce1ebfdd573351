"""Django REST framework: the pipeline's rules for API requests (only if DRF is installed).

Add to ``REST_FRAMEWORK``::

    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "secure_shopadmin.drf.CheckedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "secure_shopadmin.drf.PipelineChecksPermission", "rest_framework.permissions.IsAuthenticated",
    ],

A refused request gets 403 and ``{"code": "<code>"}``, the same body the middleware gives under
an API prefix. The rules are :data:`USER_CHECKS`: small functions ``check(request, user, pipeline_session)``
returning a refusal code or None; each capability appends its own.

A session the pipeline logged in passed every stage at login, and a new requirement ends the
user's sessions, so such requests are not checked again (no query); requests authenticated
another way (a token, basic auth) are checked on every request.
"""

from django.apps import apps
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission

from . import pipeline
from .audit.models import EventKind
from .audit.services import record
from .console import networks
from .core import api_tokens
from .core.models import ApiToken
from .core.policy import holds_console_rights, requires_2fa
from .core.sensitive import secret_variables
from .net import client_ip
from .resets.services import has_pending_requirement


def password_reset_required(request, user, pipeline_session):
    """Forced resets: a user with a pending requirement reaches no API."""
    if pipeline_session:
        return None  # checked at login; a new requirement ended the session

    return "password_reset_required" if has_pending_requirement(user) else None


def second_factor_required(request, user, pipeline_session):
    """The second factor: a user under the policy uses the API only with a session the pipeline
    logged in (it asked for the code) or a token issued to such a session."""
    if pipeline_session:
        return None  # the pipeline asked for the code at login; a policy change ends the session

    if not requires_2fa(user):
        return None
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken) and token.verified:
        return None  # issued to a login that passed the second factor
    return "second_factor_required"  # the password alone, or a token from before install


def console_network(request, user, pipeline_session):
    """``CONSOLE_ALLOWED_NETWORKS``: a staff or superuser token answers only from the listed networks
    (a session's requests are refused by the enforcement middleware already)."""
    if pipeline_session or not networks.restricted() or not holds_console_rights(user):
        return None
    django_request = getattr(request, "_request", request)
    if networks.ip_allowed(client_ip(django_request)):
        return None
    record(EventKind.NETWORK_REFUSED, request=django_request, target=user, path=django_request.path[:200],
           method=django_request.method, credential="api_token")
    return "console_network_refused"


#: check(request, user, pipeline_session) -> refusal code or None, in order; the first code wins.
#: ``pipeline_session`` is True when the request came with a session the pipeline logged in.
USER_CHECKS = [console_network, second_factor_required, password_reset_required]


def refusal_code(request, user, *, pipeline_session=False):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for check in USER_CHECKS:
        code = check(request, user, pipeline_session)
        if code:
            return code
    return None


def is_pipeline_session(request):
    """Authenticated by a session the pipeline logged in (not by a token or credentials)."""
    authenticator = getattr(request, "successful_authenticator", None)
    django_request = getattr(request, "_request", request)
    return isinstance(authenticator, SessionAuthentication) and pipeline.session_marker(django_request) is not None


class Refused(exceptions.PermissionDenied):
    def __init__(self, code):
        super().__init__(detail={"code": code})


class PipelineChecksPermission(BasePermission):
    """Refuse an authenticated user whom a pipeline stage would stop (403 ``{"code": …}``)."""

    def has_permission(self, request, view):
        code = refusal_code(request, request.user, pipeline_session=is_pipeline_session(request))
        if code:
            raise Refused(code)
        return True


class CheckedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: the app's API tokens (stored as digests), refusing a token whose
    user a pipeline stage would stop (403 ``{"code": …}``).

    A key that is not one of the app's tokens is looked up in DRF's own ``authtoken`` table, if that
    app is installed (tokens made before install): such a token works only for a user outside the
    second-factor policy, as it never proved a second factor.
    """

    @secret_variables
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            request.auth = result[1]
            code = refusal_code(request, result[0], pipeline_session=False)
            if code:
                raise Refused(code)
        return result

    @secret_variables
    def authenticate_credentials(self, key):
        token = api_tokens.authenticate(key)
        if token is not None:
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed("User inactive or deleted.")
            return token.user, token
        if apps.is_installed("rest_framework.authtoken"):
            return super().authenticate_credentials(key)  # DRF's own table: from before install
        raise exceptions.AuthenticationFailed("Invalid token.")
