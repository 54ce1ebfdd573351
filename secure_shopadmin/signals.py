"""Signals a host project can listen to. Each is sent once, after the fact it names."""

from django.dispatch import Signal

#: The whole pipeline succeeded and the user is now logged in. Args: request, user, channel.
login_completed = Signal()
#: A password attempt failed (wrong password, unknown account, or refused by the guard).
#: Args: request, username, channel, refused (bool).
login_failed = Signal()
#: The password was right and the user was handed to a further step. Args: request, user, step.
login_step_pending = Signal()
#: One security event was written to the audit trail. Args: event.
security_event = Signal()
