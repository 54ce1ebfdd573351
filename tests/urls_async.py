"""The example console's URLs plus an async view that reads the user the async way."""

from django.http import JsonResponse
from django.urls import path

from shopconsole.urls import urlpatterns as shop_urlpatterns


async def whoami(request):
    user = await request.auser()
    return JsonResponse({"username": user.get_username(), "verified": bool(user.is_verified())})


urlpatterns = [path("whoami/", whoami, name="whoami"), *shop_urlpatterns]
