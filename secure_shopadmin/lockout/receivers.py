"""Signal receivers of the guard (imported by the app's ``ready()``)."""

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from .. import net
from .. import signals as pipeline_signals
from . import services
from .ip import NOTICE_FORWARDED_UNTRUSTED


@receiver(pipeline_signals.login_step_pending, dispatch_uid="secure_shopadmin.lockout.password_right")
def give_back_slot_of_right_password(sender, request, user, **kwargs):
    """The password was right (a step is pending): its slot is not a failure. Earlier ones stay counted."""
    services.release(services.password_reservation(request))


@receiver(net.forwarded_header_ignored, dispatch_uid="secure_shopadmin.lockout.forwarded_ignored")
def note_ignored_forwarded_header(sender, **kwargs):
    """Show on the admin's lock list that a forwarded header arrives while no proxy is trusted."""
    services.note(NOTICE_FORWARDED_UNTRUSTED)


@receiver(request_started, dispatch_uid="secure_shopadmin.lockout.request_started")
def start_request(sender, **kwargs):
    services.forget_unsettled()


@receiver(request_finished, dispatch_uid="secure_shopadmin.lockout.request_finished")
def finish_request(sender, **kwargs):
    services.release_unsettled()
