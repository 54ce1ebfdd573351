"""Signals of the session and environment stage. Each is sent once, after the fact it names."""

from django.dispatch import Signal

#: A login completed from an unfamiliar environment (whether or not a mail went out).
#: Args: request, user, record (LoginRecord; ``record.alert`` says what was done).
new_environment_login = Signal()
#: The user confirmed an alerted login with "this was me". Args: user, record.
login_confirmed = Signal()
#: The user answered "this wasn't me": sessions ended, reset required. Args: request, user, record.
login_disowned = Signal()
