from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from .. import signals as core_signals
from ..conf import app_settings
from ..core import deferred, sessions
from . import notify, records

deferred.connect()


@receiver(user_logged_out, dispatch_uid="secure_shopadmin.alerts.forget_session")
def forget_logged_out_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)


@receiver(core_signals.login_failed, dispatch_uid="secure_shopadmin.alerts.login_failed")
def record_failed_staff_login(sender, request, username, channel, refused=False, **kwargs):
    records.login_failed(request, username, channel, refused)


@receiver(post_save, sender=get_user_model(), dispatch_uid="secure_shopadmin.alerts.password_changed")
def tell_password_changed(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if app_settings.PASSWORD_CHANGED_NOTICE and notify.is_deliberate_password_change(
            sender, instance, created, update_fields, raw):
        notify.password_changed(instance)
