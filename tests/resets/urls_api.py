"""The example shop plus a small DRF API under /api/, guarded by the app's permission class."""

from django.urls import path
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from secure_shopadmin.drf import PipelineChecksPermission
from shopconsole.urls import urlpatterns as shop_urlpatterns


class Me(APIView):
    authentication_classes = [SessionAuthentication, BasicAuthentication]
    permission_classes = [PipelineChecksPermission, IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.get_username()})


urlpatterns = [path("api/me/", Me.as_view()), *shop_urlpatterns]
