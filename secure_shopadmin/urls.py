"""Include once in the host's URLconf: ``path("security/", include("secure_shopadmin.urls"))``."""

from django.urls import path

from . import views

app_name = "secure_shopadmin"

urlpatterns = [
    path("login/cancel/", views.cancel_login, name="cancel_login"),
]
