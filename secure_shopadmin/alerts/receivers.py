from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from . import sessions


@receiver(user_logged_out, dispatch_uid="secure_shopadmin.alerts.forget_session")
def forget_logged_out_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)
