"""Work done after the response left: ``after_response(func)`` runs ``func`` when Django sends
``request_finished`` (the WSGI server closed the response), so its cost is not visible to the
client. Outside a request it runs at once; a failure is logged."""

import contextvars
import logging

from django.core.signals import request_finished, request_started
from django.db import connections

logger = logging.getLogger(__name__)
_queue = contextvars.ContextVar("secure_shopadmin_after_response", default=None)


def after_response(func):
    queue = _queue.get()
    if queue is None:
        _run(func)
    else:
        queue.append(func)


def _run(func):
    try:
        func()
    except Exception:  # noqa: BLE001 - the response is gone; nothing may raise any more
        logger.exception("work after the response failed")


def _open(**kwargs):
    _queue.set([])


def _flush(**kwargs):
    queue = _queue.get()
    _queue.set(None)
    if not queue:
        return
    closed = {conn.alias for conn in connections.all() if conn.connection is None}
    for func in queue:
        _run(func)
    # Django's own request_finished receiver may have closed the connections already: close what
    # this work opened again, so it does not linger until the thread's next request.
    for conn in connections.all():
        if conn.alias in closed and conn.connection is not None and not conn.in_atomic_block:
            conn.close()


def connect():
    request_started.connect(_open, dispatch_uid="secure_shopadmin.core.deferred.open")
    request_finished.connect(_flush, dispatch_uid="secure_shopadmin.core.deferred.flush")
