"""Signal receivers of the guard (imported by the app's ``ready()``)."""

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from .. import signals as pipeline_signals
from ..resets import signals as reset_signals
from ..twofactor import signals as twofactor_signals
from . import services


@receiver(pipeline_signals.login_step_pending, dispatch_uid="secure_shopadmin.lockout.password_right")
def give_back_slot_of_right_password(sender, request, user, **kwargs):
    """The password was right (a step is pending): its slot is not a failure. Earlier ones stay counted."""
    services.release(services.password_reservation(request))


@receiver(twofactor_signals.verification_failed, dispatch_uid="secure_shopadmin.lockout.code_failed")
def count_wrong_code(sender, request, user, **kwargs):
    """A wrong code on a page that did not reserve a slot first (self-service) still counts."""
    if request is not None and "otp" not in services.reservations_of(request):
        services.count_otp_failure(request, user)


@receiver(reset_signals.reset_satisfied, dispatch_uid="secure_shopadmin.lockout.reset_done")
def lift_locks_after_reset(sender, user, request=None, **kwargs):
    services.lift_account_locks(user, request=request, reason="password reset completed")


@receiver(request_started, dispatch_uid="secure_shopadmin.lockout.request_started")
def start_request(sender, **kwargs):
    services.forget_unsettled()


@receiver(request_finished, dispatch_uid="secure_shopadmin.lockout.request_finished")
def finish_request(sender, **kwargs):
    services.release_unsettled()
