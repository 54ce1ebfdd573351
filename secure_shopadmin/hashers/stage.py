"""Stage 2 of the login pipeline, the password: its part in :mod:`secure_shopadmin.pipeline`.

``authenticate()`` checks the password with the hasher the stored string names; this module only
evens out the time of a failure (:func:`failed`), so that an unknown username, a wrong password and
every stored format cost the same.
"""

import time

from . import timing


def started():
    """The moment the password check begins (pass it to :func:`failed`)."""
    return time.perf_counter()


def failed(started_at):
    """The password check that began at ``started_at`` failed: make it last as long as the slowest format's."""
    timing.even_out_failure(started_at)
