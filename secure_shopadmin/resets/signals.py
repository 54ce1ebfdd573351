"""Signals of forced resets and of the outgoing-mail queue. Each is sent once, after the fact it names
(after the transaction commits), except :data:`trust_withdrawn`."""

from django.dispatch import Signal

#: Resets are being required of these users: whatever vouches for them (remembered browsers) must go.
#: Sent inside the requiring transaction, so a receiver's writes commit or roll back with it. Args: user_ids.
trust_withdrawn = Signal()
#: Resets were required. Args: requirements (list of ResetRequirement), actor (user or None), reason.
reset_required = Signal()
#: A reset mail (link or notice) was sent. Args: requirement, mail (OutgoingMail).
reset_mailed = Signal()
#: A user set a new password and the requirement is satisfied. Args: requirement, user, request.
reset_satisfied = Signal()
#: A pending requirement was withdrawn. Args: requirement, actor.
reset_cancelled = Signal()
#: Any outgoing mail was sent. Args: mail (OutgoingMail).
mail_sent = Signal()
