"""Stage 1 of the login pipeline, the guard: its part in :mod:`secure_shopadmin.pipeline`.

* :func:`refusal`, before ``authenticate()``: check every rule and reserve this attempt's slot;
  a locked client is answered without any hash being computed.
* :func:`password_failed`: the slot stays counted; if it completed a lock, say so.
* a right password gives its slot back (``login_step_pending`` receiver, or at the request's end);
  earlier failures stay counted until :func:`pipeline_succeeded` (password *and* code).
* :func:`otp_refusal` / :func:`otp_reserve` / :func:`otp_failed` / :func:`otp_succeeded`: the
  separate budget of wrong codes per (account, client IP).
"""

from . import services


def refusal(request, username, channel):
    """Seconds the client must wait, or 0 when it may try a password now (its slot is then taken).

    A sign-in passkey's answer takes its slot here too, before its signature is checked: ``username``
    is then the account of the credential it names (or a key of the unknown credential)."""
    return services.reserve_password(request, username).retry_after


def password_failed(request, username, channel, user):
    """After a failed password: seconds to wait if that failure locked the client, else 0."""
    return services.failed(request, services.password_reservation(request), user)


def prior_failures(request):
    """The account's failed passwords before this request's (right) one, from its slot: no query."""
    reservation = services.password_reservation(request)
    return reservation.prior_failures if reservation is not None else 0


def pipeline_succeeded(request, user, partial):
    """The whole pipeline succeeded: clear the pair's, the account's and the codes' counters."""
    services.succeeded(request, user)


def retry_after(request):
    """Seconds of the refusal or lock this request met (for django-axes' lockout callable)."""
    reservations = services.reservations_of(request).values()
    return max([r.retry_after or r.lock_retry_after for r in reservations] or [0]) or 60


def otp_refusal(request, user):
    """Seconds before ``user`` may try another code from this client, or 0. Counts nothing."""
    return services.otp_refusal(request, user)


def otp_reserve(request, user):
    """Take a slot of the code budget before checking a code; returns the :class:`Reservation`."""
    return services.reserve_otp(request, user)


def otp_failed(request, reservation, user):
    """The code was wrong; returns the seconds of the lock it completed, or 0."""
    return services.failed(request, reservation, user)


def otp_succeeded(request, reservation):
    services.release(reservation)
