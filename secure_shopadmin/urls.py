"""Include once in the host's URLconf: ``path("security/", include("secure_shopadmin.urls"))``."""

from django.urls import path

from . import views
from .lockout import views as lockout_views
from .views import alerts as alert_views
from .views import console as console_views
from .views import language, twofactor, twofactor_manage
from .views import resets as reset_views
from .views import risk as risk_views

app_name = "secure_shopadmin"

urlpatterns = [
    path("login/cancel/", views.cancel_login, name="cancel_login"),
    path("language/", language.set_language, name="set_language"),
    path("reset/password/", reset_views.reset_password, name="reset_password"),
    path("reset/done/", reset_views.reset_done, name="reset_done"),
    path("reset/check-mail/", reset_views.reset_link_needed, name="reset_link_needed"),
    path("reset/new-link/", reset_views.reset_resend, name="reset_resend"),
    path("reset/link/<str:token>/", reset_views.reset_link, name="reset_link"),
    path("account/email/", reset_views.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", reset_views.email_confirm, name="email_confirm"),
    path("2fa/verify/", twofactor.verify, name="twofactor_verify"),
    path("2fa/mailed/", twofactor.mailed, name="twofactor_mailed"),
    path("2fa/link/<str:token>/", twofactor.link, name="twofactor_link"),
    path("2fa/enrol/", twofactor.enrol, name="twofactor_enrol"),
    path("2fa/recovery-codes/saved/", twofactor.codes_saved, name="twofactor_codes_saved"),
    path("2fa/", twofactor_manage.manage, name="twofactor_manage"),
    path("2fa/add-app/", twofactor_manage.add_app, name="twofactor_add_app"),
    path("2fa/browsers/<int:pk>/forget/", twofactor.forget_browser, name="twofactor_forget_browser"),
    path("alerts/<str:token>/me/", alert_views.alert_was_me, name="alert_was_me"),
    path("alerts/<str:token>/not-me/", alert_views.alert_not_me, name="alert_not_me"),
    path("login/code/", risk_views.risk_code, name="risk_code"),
    path("login/code/<str:token>/not-me/", risk_views.risk_not_me, name="risk_not_me"),
    path("account/logins/", alert_views.login_history, name="login_history"),
    path("account/sessions/<int:pk>/end/", alert_views.end_session, name="end_session"),
    path("account/sessions/end-others/", alert_views.end_other_sessions, name="end_other_sessions"),
    path("unlock/<str:token>/", lockout_views.unlock, name="lockout_unlock"),
    path("console/pass/<str:token>/", console_views.console_pass, name="console_pass"),
]
