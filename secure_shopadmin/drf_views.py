"""API token views that run the pipeline (apart from ``drf.py``: DRF's settings import that module)."""

from django.contrib.auth import logout
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import pipeline
from .drf import Refused, is_pipeline_session
from .lockout.responses import lockout_response
from .twofactor import api_tokens


class ObtainVerifiedTokenView(APIView):
    """POST from a session the pipeline logged in: returns an API token for that user.

    For a user under the second-factor policy this is the only way to a usable token: the session
    passed the code. The token is rotated on every call.
    """

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        if not is_pipeline_session(request):
            raise Refused("not_authenticated")
        return Response({"token": api_tokens.issue(request.user)})


class PasswordTokenView(APIView):
    """POST ``username`` and ``password``: an API token, through the whole login pipeline.

    Use it instead of DRF's ``obtain_auth_token`` (which checks only the password): the guard
    counts and refuses (429), and a user whom a further step would stop — the second factor, a
    forced reset — gets 403 ``{"code": …}`` and no token.
    """

    authentication_classes = []
    permission_classes = []

    def post(self, request):
        django_request = request._request
        username, password = request.data.get("username", ""), request.data.get("password", "")
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            return Response({"code": "invalid_credentials"}, status=400)
        outcome = pipeline.login_with_password(django_request, username, password, channel=pipeline.Channel.API)
        if outcome.status == outcome.REFUSED:
            return lockout_response(django_request, retry_after=outcome.retry_after)
        if outcome.status == outcome.PENDING:
            partial = pipeline.PartialLogin.load(django_request)
            pipeline.discard_partial(django_request)
            raise Refused(partial.step_api_code if partial else "login_incomplete")
        if outcome.status != outcome.DONE:
            return Response({"code": "invalid_credentials"}, status=400)
        key = api_tokens.issue(outcome.user)
        logout(django_request)  # the token is the credential; no session stays behind
        return Response({"token": key})
