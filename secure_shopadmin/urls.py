"""Include once in the host's URLconf: ``path("security/", include("secure_shopadmin.urls"))``."""

from django.urls import path

from . import views
from .twofactor import views as twofactor

app_name = "secure_shopadmin"

urlpatterns = [
    path("login/cancel/", views.cancel_login, name="cancel_login"),
    path("2fa/verify/", twofactor.verify, name="twofactor_verify"),
    path("2fa/mailed/", twofactor.mailed, name="twofactor_mailed"),
    path("2fa/link/<str:token>/", twofactor.link, name="twofactor_link"),
    path("2fa/enrol/", twofactor.enrol, name="twofactor_enrol"),
    path("2fa/", twofactor.manage, name="twofactor_manage"),
    path("2fa/browsers/<int:pk>/forget/", twofactor.forget_browser, name="twofactor_forget_browser"),
]
