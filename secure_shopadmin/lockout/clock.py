"""The guard's one time source. Tests freeze it with ``monkeypatch.setattr(clock, "now", …)``."""

from django.utils import timezone


def now():
    """The current time (aware); every rule of the guard reads the time through this function."""
    return timezone.now()
