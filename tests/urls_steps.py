"""The example console's URLs plus a fake pipeline step, to test how stages hand over."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from secure_shopadmin import pipeline
from shopconsole.urls import urlpatterns as shop_urlpatterns


def fake_step(request):
    if request.method == "POST":
        outcome = pipeline.step_done(request, "fake", second_factor="fake")
        return redirect(outcome.redirect_url or "/admin/")
    return HttpResponse("step page")


urlpatterns = [
    path("step/", include(([path("", fake_step, name="fake")], "steps"))),
    *shop_urlpatterns,
]
