"""What a counting call hands back (a :class:`Reservation`: a slot taken, or a refusal), and the
interface both counter stores implement (:class:`CounterStore`)."""

from dataclasses import dataclass, field
from typing import Protocol


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
    prior_failures: int = 0  # the account's failed passwords before this attempt (since its last login)
    failed: bool = False
    settled: bool = False
    counted_by: object = None  # the store module that counted it, when a cache may fall back to rows

    @property
    def refused(self):
        return self.retry_after > 0


class CounterStore(Protocol):
    """The counters' store: database rows (:mod:`.store_db`) or a shared cache (:mod:`.store_cache`).

    Both apply the same rules (:mod:`.rules`); they differ only in how a slot is taken atomically.
    """

    def refusals_write(self) -> bool:
        """Whether a refused :meth:`reserve_password` writes (the guard then peeks first when it can)."""

    def peek_password(self, subject: Subject) -> int:
        """Seconds a password attempt of ``subject`` would be refused for, or 0; counts nothing."""

    def reserve_password(self, subject: Subject) -> Reservation:
        """Check every password rule and take the attempt's slot, atomically."""

    def peek_otp(self, subject: Subject) -> int:
        """Seconds before ``subject`` may try another code, or 0; counts nothing."""

    def reserve_otp(self, subject: Subject) -> Reservation:
        """Take a slot of the code budget, atomically."""

    def release(self, reservation: Reservation) -> None:
        """Give a slot back (the password or code was right)."""

    def clear(self, username: str, ip: str, give_back: Reservation | None = None) -> None:
        """The whole login succeeded: forget the pair's, the account's and the codes' counts, and
        :meth:`release` ``give_back`` (the password's slot, when no step gave it back)."""

    def failures(self, username: str, ip: str) -> dict:
        """{rule: failures} of the password rules for (username, ip)."""
