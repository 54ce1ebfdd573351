"""The example console plus a view that rotates the session key as a password change does."""

from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponse
from django.urls import path

from shopconsole.urls import urlpatterns as base


def rotate(request):
    request.user.set_password("a brand new password 42")
    request.user.save()
    update_session_auth_hash(request, request.user)
    return HttpResponse("rotated")


urlpatterns = [path("rotate/", rotate), *base]
