"""API token views that run the pipeline (apart from ``drf.py``: DRF's settings import that module)."""

from django.contrib.auth import logout
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import pipeline
from .console import reauth
from .core import api_tokens
from .core.ephemeral import ephemeral_session
from .core.partial import session_marker
from .core.policy import holds_console_rights
from .core.sensitive import secret_variables
from .drf import Refused, is_pipeline_session
from .lockout.responses import lockout_response


class ObtainVerifiedTokenView(APIView):
    """POST from a session the pipeline logged in: returns an API token for that user.

    For a user under the second-factor policy this is the only way to a usable token: the session
    passed the code. The token is rotated on every call. A staff or superuser session whose code is
    older than ``REAUTH_MAX_AGE`` gives a fresh one in the body (``otp_token``, ``passkey_answer``
    or ``password``), else gets 403 ``{"code": "reauth_required"}``.
    """

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @method_decorator(secret_variables)
    def post(self, request):
        if not is_pipeline_session(request):
            raise Refused("not_authenticated")
        if holds_console_rights(request.user):  # a staff token is console power: a fresh code first
            answer = reauth.demand_in_body(request._request, request.user, request.data)
            if answer is not None:
                return answer
        marker = session_marker(request._request) or {}
        return Response({"token": api_tokens.issue(request.user, verified=bool(marker.get("verified")))})


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class PasswordTokenView(APIView):
    """POST JSON ``{"username": …, "password": …}``: an API token, through the whole login pipeline.

    Use it instead of DRF's ``obtain_auth_token`` (which checks only the password): the guard
    counts and refuses (429), and a user whom a further step would stop — the second factor, a
    forced reset — gets 403 ``{"code": …}`` and no token.

    Only ``application/json`` is read (415 otherwise), so a cross-site form cannot fire it; the
    pipeline runs on a session of its own, so the browser's session is never read, ended or
    replaced. A body that is not a JSON object of two strings gets 400 ``{"code": "invalid_request"}``.
    """

    authentication_classes = []
    permission_classes = []
    parser_classes = [JSONParser]

    @method_decorator(secret_variables)
    def post(self, request):
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":  # even an empty body: DRF would read no parser for it
            raise UnsupportedMediaType(media_type)
        body = request.data
        if not isinstance(body, dict):
            return Response({"code": "invalid_request"}, status=400)
        username, password = body.get("username", ""), body.get("password", "")
        if not isinstance(username, str) or not isinstance(password, str):
            return Response({"code": "invalid_request"}, status=400)
        if not username or not password or "\x00" in username or "\x00" in password or len(username) > 254:
            return Response({"code": "invalid_credentials"}, status=400)
        django_request = request._request
        with ephemeral_session(django_request):
            return token_login(django_request, username, password)


@secret_variables
def token_login(django_request, username, password):
    """The pipeline for the token endpoint, on the (ephemeral) session of ``django_request``."""
    outcome = pipeline.login_with_password(django_request, username, password, channel=pipeline.Channel.API)
    if outcome.status == outcome.REFUSED:
        return lockout_response(django_request, retry_after=outcome.retry_after)
    if outcome.status == outcome.PENDING:
        partial = pipeline.PartialLogin.load(django_request)
        pipeline.discard_partial(django_request)
        raise Refused(partial.step_api_code if partial else "login_incomplete")
    if outcome.status != outcome.DONE:
        return Response({"code": "invalid_credentials"}, status=400)
    marker = session_marker(django_request) or {}
    key = api_tokens.issue(outcome.user, verified=bool(marker.get("verified")))  # did this login pass a code?
    logout(django_request)  # ends the pipeline's own session (and its record); the token is the credential
    return Response({"token": key})
