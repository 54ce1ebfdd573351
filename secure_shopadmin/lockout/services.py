"""The guard's logic in plain functions: reserve a slot before the password or code is checked,
settle it afterwards, lift locks. Views, the pipeline stage and the axes handler only call these.

A request's reservations are kept on the request (``_ssa_guard``) so the password stage, the
axes backend and the signals count each attempt once. A slot nobody settled (a right password on a
path outside the pipeline) is given back when the request finishes (:func:`release_unsettled`).
"""

import contextvars
import logging
from datetime import timedelta

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import deferred, device
from ..core.links import absolute_url
from ..core.mail import send_to_security_contacts, send_to_user
from ..core.sensitive import secret_variables
from ..core.tokens import new_token, token_digest
from . import clock, ip, keys, rules, store_db, stores
from .models import Counter, DailyFailures, GuardNotice, UnlockLink
from .reservations import Reservation, Subject

logger = logging.getLogger("secure_shopadmin.lockout")
REQUEST_ATTR = "_ssa_guard"
TOKEN_PURPOSE = "unlock"
_unsettled = contextvars.ContextVar("secure_shopadmin_lockout_unsettled", default=())


def store():
    """The counters' store: the shared cache named by ``LOCKOUT_CACHE`` (database rows while it cannot be
    reached), else database rows."""
    return stores.current()


def http_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def reservations_of(request):
    request = http_request(request)
    found = getattr(request, REQUEST_ATTR, None)
    if found is None:
        found = {}
        setattr(request, REQUEST_ATTR, found)
    return found


def find_user(username):
    """The user named ``username`` (exactly, else case-insensitively), or None."""
    user_model = get_user_model()
    manager = user_model._default_manager
    try:
        return manager.get_by_natural_key(username)
    except user_model.DoesNotExist:
        return manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": str(username).strip()}).first()


def subject_for(request, username):
    normalised = keys.normalise_username(username)
    return Subject(
        username=normalised, ip=ip.request_key(request),
        known_device=lambda: _known_device(request, username),
        take_pass=lambda: _take_pass(request, normalised),
    )


def _known_device(request, username):
    if device.device_id(http_request(request)) is None:
        return False
    user = find_user(username)
    return user is not None and device.is_known(http_request(request), user)


def _take_pass(request, normalised):
    """Spend one attempt of this browser's unlock pass for the account, if it has one."""
    current = device.device_id(http_request(request))
    if current is None:
        return False
    return UnlockLink.objects.filter(
        username=normalised, device_digest=device.digest(current), pass_until__gt=clock.now(),
        attempts_left__gt=0,
    ).update(attempts_left=F("attempts_left") - 1) > 0


# --- password attempts -------------------------------------------------------------------------

def reserve_password(request, username):
    """Check every rule and take a slot for one password attempt, before any hash is computed."""
    subject = subject_for(request, username)
    peek = store().refusals_write() and device.device_id(http_request(request)) is None
    retry = store().peek_password(subject) if peek else 0  # no cookie: no pass, no exemption
    if retry:
        reservation = Reservation("password", subject, retry_after=retry, refused_by=("lock",))
    else:
        reservation = store().reserve_password(subject)
    reservations_of(request)["password"] = reservation
    if not reservation.refused:
        _unsettled.set((*_unsettled.get(), reservation))
    return reservation


def password_reservation(request, username=None):
    """This request's password reservation (for ``username``, if given), or None."""
    reservation = reservations_of(request).get("password")
    if reservation is None or reservation.refused:
        return reservation
    if username is not None and keys.normalise_username(username) != reservation.subject.username:
        return None
    return reservation


def failed(request, reservation, user=None):
    """The slot's password (or code) was wrong: it stays counted. Returns the new lock's seconds, or 0."""
    if reservation is None or reservation.refused or reservation.settled:
        return reservation.lock_retry_after if reservation is not None and reservation.failed else 0
    reservation.failed = reservation.settled = True
    count_daily_failure()
    if reservation.new_locks:
        report_locks(request, reservation, user)
    return reservation.lock_retry_after


def count_daily_failure():
    """One more failure today (one UPDATE; the day's row is created by its first failure)."""
    today = timezone.localtime(clock.now()).date()
    if not DailyFailures.objects.filter(day=today).update(failures=F("failures") + 1):
        try:
            with transaction.atomic():
                DailyFailures.objects.create(day=today, failures=1)
        except IntegrityError:  # another request created it first
            DailyFailures.objects.filter(day=today).update(failures=F("failures") + 1)


def release(reservation):
    """The password (or code) was right: give the slot back and undo any lock it set."""
    if reservation is None or reservation.refused or reservation.settled:
        return
    reservation.settled = True
    store().release(reservation)


def release_unsettled():
    """At the end of a request: give back every slot that was neither failed nor released."""
    pending, _ = _unsettled.get(), _unsettled.set(())
    for reservation in pending:
        release(reservation)


def forget_unsettled():
    _unsettled.set(())


def succeeded(request, user):
    """The whole pipeline succeeded: clear the pair's, the account's and the codes' counters, and give back
    the password's slot if no step did (a right password is not a failure of the client IP: the IP's count
    loses this slot, it is never reset, so an attacker's own account cannot clear his budget)."""
    password = reservations_of(request).get("password")
    unsettled = password if password is not None and not password.refused and not password.settled else None
    for reservation in reservations_of(request).values():
        reservation.settled = True
    store().clear(keys.normalise_username(user.get_username()), ip.request_key(request), unsettled)


def report_locks(request, reservation, user=None):
    """Audit the locks a failed slot set; on an account lock mail the holder an unlock link."""
    subject = reservation.subject
    if user is None and (rules.ACCOUNT in reservation.new_locks or rules.OTP in reservation.new_locks
                         or rules.PAIR in reservation.new_locks):
        user = _user_for(subject.username)
    for rule in reservation.new_locks:
        record(EventKind.LOCKOUT, request=http_request(request), actor=None, target=user,
               reason=rule, rule=rule, username=subject.username if rule != rules.IP else "",
               ip=subject.ip if rule != rules.ACCOUNT else "",
               retry_after=reservation.lock_retry_after)
        logger.warning("lockout: %s locked (username=%r, ip=%s)", rule, subject.username, subject.ip)
    if rules.PAIR in reservation.new_locks:
        mirror_pair_lock(request, subject)
    if rules.ACCOUNT in reservation.new_locks and user is not None:
        mail_unlock_link(request, user)
    if rules.OTP in reservation.new_locks and user is not None:
        mail_otp_lock(user, subject)
    if rules.OTP_ACCOUNT in reservation.new_locks and user is not None:
        mail_password_known(user, subject)


def mirror_pair_lock(request, subject):
    """Show a pair lock in django-axes' own attempt list (its admin, ``axes_list_attempts``).

    Written only when a pair locks, never per attempt, and with no request data (no secrets).
    """
    AccessAttempt.objects.update_or_create(
        username=subject.username, ip_address=ip.client_ip(request), user_agent="",
        defaults={"failures_since_start": rules.pair_limit(), "get_data": "", "post_data": "",
                  "http_accept": "", "path_info": http_request(request).path[:255]},
    )


def forget_axes_attempts(**filters):
    return AccessAttempt.objects.filter(**filters).delete()[0]


def _user_for(normalised):
    user_model = get_user_model()
    return user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": normalised}).first()


# --- codes (the second factor) -------------------------------------------------------------------

def otp_subject(request, user):
    """Who enters a code; ``known_device()`` (asked only past the account-wide ceiling): has this
    browser completed a login of ``user`` before?"""
    return Subject(username=keys.normalise_username(user.get_username()), ip=ip.request_key(request),
                   known_device=lambda: device.is_known(http_request(request), user))


def otp_refusal(request, user):
    """Seconds before ``user`` may try another code from this client, or 0 (nothing is counted)."""
    return store().peek_otp(otp_subject(request, user))


def reserve_otp(request, user):
    """Check the code budget of (user, client IP) and take a slot, before the code is checked."""
    reservation = store().reserve_otp(otp_subject(request, user))
    reservations_of(request)["otp"] = reservation
    if not reservation.refused:
        _unsettled.set((*_unsettled.get(), reservation))
    return reservation


def count_otp_failure(request, user):
    """A wrong code checked outside :func:`reserve_otp` (self-service pages): count it now."""
    reservation = reservations_of(request).get("otp")
    if reservation is not None:
        return failed(request, reservation, user)
    reservation = store().reserve_otp(otp_subject(request, user))
    return 0 if reservation.refused else failed(request, reservation, user)


def mail_otp_lock(user, subject):
    if store_db.claim_interval(subject.username, "otp_lock", app_settings.LOCKOUT_MAIL_INTERVAL):
        context = {"ip": subject.ip, "minutes": app_settings.LOCKOUT_OTP_WINDOW // 60}
        deferred.after_response(lambda: send_to_user(user, "otp_lock", context))  # not inside the answer


def mail_password_known(user, subject):
    """The account-wide ceiling of wrong codes: tell the user and the security contacts the password is known."""
    if not store_db.claim_interval(subject.username, "password_known", app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW):
        return
    context = {"failures": app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER,
               "hours": app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW // 3600}
    contacts = {**context, "username": user.get_username(), "is_staff": user.is_staff}
    deferred.after_response(lambda: send_to_user(user, "password_known", context))
    deferred.after_response(lambda: send_to_security_contacts("security_contact_password_known", contacts))


# --- unlocking -------------------------------------------------------------------------------------

@secret_variables
def mail_unlock_link(request, user, *, force=False):
    """Mail ``user`` a single-use link that frees the browser which confirms it (at most once per interval)."""
    normalised = keys.normalise_username(user.get_username())
    if not force and not store_db.claim_interval(normalised, "unlock", app_settings.LOCKOUT_MAIL_INTERVAL):
        return None
    token, digest = new_token(TOKEN_PURPOSE)
    now = clock.now()
    link = UnlockLink.objects.create(
        user=user, username=normalised, token_digest=digest, created_at=now,
        expires_at=now + timedelta(seconds=app_settings.LOCKOUT_UNLOCK_LINK_TTL),
    )
    url = absolute_url(http_request(request) if request is not None else None, "secure_shopadmin:lockout_unlock", token)
    context = {"url": url, "hours": app_settings.LOCKOUT_UNLOCK_LINK_TTL // 3600}
    deferred.after_response(lambda: send_to_user(user, "lockout_unlock", context))  # not inside the answer
    return link


def find_unlock_link(token):
    """The unspent, unexpired link for ``token``, or None (whatever the reason: never says which)."""
    if not token or len(token) > 100:
        return None
    return UnlockLink.objects.filter(
        token_digest=token_digest(token, TOKEN_PURPOSE), used_at__isnull=True, expires_at__gt=clock.now(),
    ).select_related("user").first()


@secret_variables
def confirm_unlock_link(request, token):
    """Spend the link (once, compare-and-set) and let this browser through; returns the user or None."""
    link = find_unlock_link(token)
    if link is None:
        return None
    now = clock.now()
    current = device.ensure_device_id(http_request(request))
    spent = UnlockLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, device_digest=device.digest(current),
        pass_until=now + timedelta(seconds=app_settings.LOCKOUT_UNLOCK_PASS_TTL),
        attempts_left=rules.pair_limit(),
    )
    if not spent:
        return None
    device.learn(http_request(request), link.user)
    record(EventKind.UNLOCK, request=http_request(request), actor=None, target=link.user,
           reason="mailed unlock link", scope="this browser")
    return link.user


def unlock(counter, *, request=None, reason=""):
    """Lift one lock (an admin's action): the row goes, and the cache's counters with it."""
    if app_settings.LOCKOUT_CACHE:
        stores.cache_or_rows.forget(counter.rule, counter.username, counter.ip)
    target = _user_for(counter.username) if counter.username else None
    counter.delete()
    if counter.rule == rules.PAIR:
        forget_axes_attempts(username=counter.username)
    elif counter.rule == rules.IP and ip.parse(counter.ip) is not None:
        forget_axes_attempts(ip_address=counter.ip)
    record(EventKind.UNLOCK, request=request, target=target, reason=reason or "unlocked by an admin",
           rule=counter.rule, username=counter.username, ip=counter.ip)


def lift_account_locks(user, *, request=None, reason="password reset"):
    """Lift every lock of ``user``'s account (its pairs, the account, its codes), e.g. after a reset."""
    normalised = keys.normalise_username(user.get_username())
    rows = list(Counter.objects.filter(username=normalised).exclude(rule=rules.MAIL))
    for counter in rows:
        if app_settings.LOCKOUT_CACHE:
            stores.cache_or_rows.forget(counter.rule, counter.username, counter.ip)
    if app_settings.LOCKOUT_CACHE:
        stores.cache_or_rows.forget(rules.ACCOUNT, normalised, "")
        stores.cache_or_rows.forget(rules.OTP_ACCOUNT, normalised, "")
    Counter.objects.filter(pk__in=[row.pk for row in rows]).delete()
    forget_axes_attempts(username=normalised)
    if rows:
        record(EventKind.UNLOCK, request=request, target=user, reason=reason, rules=sorted({r.rule for r in rows}))
    return len(rows)


def reset(*, ip_address=None, username=None, ip_or_username=False):
    """django-axes' ``reset_attempts`` on our counters (the ``axes_reset*`` commands); returns rows lifted."""
    ip_key = ip.counting_key(ip_address) if ip_address else None
    name = keys.normalise_username(username) if username else None
    query = Counter.objects.exclude(rule=rules.MAIL)
    by_ip, by_name = Q(ip=ip_key), Q(username=name)
    if ip_or_username:
        query = query.filter(by_ip | by_name)
    else:
        if ip_key is not None:
            query = query.filter(by_ip)
        if name is not None:
            query = query.filter(by_name)
    rows = list(query)
    if app_settings.LOCKOUT_CACHE:
        for counter in rows:
            stores.cache_or_rows.forget(counter.rule, counter.username, counter.ip)
        if name is not None:
            stores.cache_or_rows.forget(rules.ACCOUNT, name, "")
            stores.cache_or_rows.forget(rules.OTP_ACCOUNT, name, "")
        if ip_key is not None:
            stores.cache_or_rows.forget(rules.IP, "", ip_key)
    Counter.objects.filter(pk__in=[row.pk for row in rows]).delete()
    axes_filters = {"username": name} if name is not None else {}
    if ip_address and not ip_or_username:
        axes_filters["ip_address"] = ip_address
    if ip_or_username or axes_filters:
        forget_axes_attempts(**axes_filters)
    if rows:
        record(EventKind.UNLOCK, reason="axes reset", username=name or "", ip=ip_key or "")
    return len(rows)


# --- notices and pruning ---------------------------------------------------------------------------

def note(code):
    """Remember a run-time configuration problem for the admin (first and last seen)."""
    now = clock.now()
    try:
        updated = GuardNotice.objects.filter(code=code).update(last_seen=now)
        if not updated:
            GuardNotice.objects.get_or_create(code=code, defaults={"first_seen": now, "last_seen": now})
    except DatabaseError:  # before migrations, or no database in this context
        logger.debug("lockout notice %s not stored", code)


def prune(days=None):
    """Delete counters idle for ``days`` (LOCKOUT_RETENTION_DAYS) and spent or expired unlock links."""
    days = app_settings.LOCKOUT_RETENTION_DAYS if days is None else days
    now = clock.now()
    cutoff = now - timedelta(days=days)
    idle = Counter.objects.filter(last_failure_at__lt=cutoff).exclude(locked_until__gt=now)
    never = Counter.objects.filter(last_failure_at__isnull=True).exclude(locked_until__gt=now)
    counters = idle.delete()[0] + never.delete()[0]
    links = UnlockLink.objects.filter(expires_at__lt=cutoff).exclude(pass_until__gt=now).delete()[0]
    return {"counters": counters, "unlock_links": links}
