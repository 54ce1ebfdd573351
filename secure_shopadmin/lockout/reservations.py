"""What a counting call hands back: a :class:`Reservation` (a slot taken, or a refusal)."""

from dataclasses import dataclass, field


@dataclass
class Subject:
    """Who is trying: the normalised username and the client-IP key, plus the two exemptions.

    ``known_device()`` and ``take_pass()`` are called only when a lock or delay would refuse, so a
    normal attempt costs no query for them.
    """

    username: str
    ip: str
    known_device: object = lambda: False
    take_pass: object = lambda: False


@dataclass
class Reservation:
    """One attempt slot, taken before the password (or code) is checked.

    ``retry_after`` > 0 means the attempt was refused and nothing was counted. Otherwise the slot
    counts as a failure unless it is :meth:`released <secure_shopadmin.lockout.services.release>`
    (the password or code was right). ``new_locks`` names the rules this slot locked.
    """

    kind: str  # "password" or "otp"
    subject: Subject
    retry_after: int = 0
    refused_by: tuple = ()
    new_locks: list = field(default_factory=list)
    lock_retry_after: int = 0
    undo: dict = field(default_factory=dict)  # store-specific
    via_pass: bool = False
    failed: bool = False
    settled: bool = False

    @property
    def refused(self):
        return self.retry_after > 0
