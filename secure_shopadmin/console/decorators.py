"""What a host uses to protect its own views and admin actions with a fresh second factor.

* ``@fresh_code_required`` on a view (function or method) or on an admin action: a POST made
  when the session's last code is older than ``REAUTH_MAX_AGE`` first shows the code page, then
  runs with the same POST data. GET requests pass.
* :class:`FreshCodeAdminMixin` on a ModelAdmin: name the actions in ``fresh_code_actions``
  (``"__all__"`` for every one), set ``fresh_code_delete`` to protect the delete page and
  ``fresh_code_save`` the add and change forms too.
* ``@not_activity`` on a view that a page polls in the background: its requests never reset the
  idle timeouts (``CONSOLE_IDLE_TIMEOUT``, ``STOREFRONT_IDLE_TIMEOUT``).
"""

import dataclasses
from functools import wraps

from django.http import HttpRequest

from . import reauth
from .requests import PASSIVE_ATTR


def not_activity(view):
    """Mark ``view`` (a function or method) as background polling: its requests never count as the
    user's activity for the idle timeouts; they still end a session that has timed out."""
    setattr(view, PASSIVE_ATTR, True)
    return view


def _request_of(args):
    for arg in args:
        if isinstance(arg, HttpRequest):
            return arg
        inner = getattr(arg, "_request", None)  # a DRF Request
        if isinstance(inner, HttpRequest):
            return inner
    raise TypeError("fresh_code_required: the decorated callable was not given a request.")


def fresh_code_required(func):
    """Ask for a fresh code before ``func`` runs on a POST (see the module's docs)."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        answer = reauth.demand(_request_of(args))
        if answer is not None:
            return answer
        return func(*args, **kwargs)

    wrapper.fresh_code_required = True
    return wrapper


def fresh_code_action(func):
    """``func`` (an admin action) behind a fresh code: the admin calls it once it has chosen it."""
    @wraps(func)
    def guarded(modeladmin, request, queryset):
        answer = reauth.demand(request)
        if answer is not None:
            return answer
        return func(modeladmin, request, queryset)

    guarded.fresh_code_required = True
    return guarded


def _guarded(action):
    """The admin's action entry (a tuple before Django 6.1, an ``Action`` since) with its callable guarded."""
    if isinstance(action, tuple):
        return (fresh_code_action(action[0]), *action[1:])
    return dataclasses.replace(action, func=fresh_code_action(action.func))


class FreshCodeAdminMixin:
    """ModelAdmin mixin: a fresh code before the named actions and, optionally, deleting.

    The check wraps the action callables that :meth:`get_actions` hands to Django, so it applies to
    whichever action Django runs, however the POST names it (any ``index``, the change list's or, on
    Django 6.1, the change form's action field).
    """

    fresh_code_actions = ()
    fresh_code_delete = False
    #: a fresh code before saving the add or change form too
    fresh_code_save = False

    def action_needs_fresh_code(self, request, name):
        return self.fresh_code_actions == "__all__" or name in self.fresh_code_actions

    def get_actions(self, request, action_location=None):
        # Django 6.1 passes where the actions show; earlier versions do not
        where = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **where)
        return {name: _guarded(action) if self.action_needs_fresh_code(request, name) else action
                for name, action in actions.items()}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if self.fresh_code_save:
            answer = reauth.demand(request)
            if answer is not None:
                return answer
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if self.fresh_code_delete:
            answer = reauth.demand(request)
            if answer is not None:
                return answer
        return super().delete_view(request, object_id, extra_context)
