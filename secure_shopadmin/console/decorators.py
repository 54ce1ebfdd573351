"""What a host uses to protect its own views and admin actions with a fresh second factor.

* ``@fresh_code_required`` on a view (function or method) or on an admin action: a POST made
  when the session's last code is older than ``REAUTH_MAX_AGE`` first shows the code page, then
  runs with the same POST data. GET requests pass.
* :class:`FreshCodeAdminMixin` on a ModelAdmin: name the actions in ``fresh_code_actions``
  (``"__all__"`` for every one) and set ``fresh_code_delete`` to protect the delete page too.
"""

from functools import wraps

from django.http import HttpRequest

from . import reauth


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


def posted_action(request):
    """The name of the admin action a changelist POST asks for (the button pushed), or ""."""
    try:
        index = int(request.POST.get("index", 0))
    except ValueError:
        index = 0
    names = request.POST.getlist("action")
    return names[index] if 0 <= index < len(names) else (names[0] if names else "")


class FreshCodeAdminMixin:
    """ModelAdmin mixin: a fresh code before the named actions and, optionally, deleting."""

    fresh_code_actions = ()
    fresh_code_delete = False

    def action_needs_fresh_code(self, request, name):
        return self.fresh_code_actions == "__all__" or name in self.fresh_code_actions

    def response_action(self, request, queryset, *args, **kwargs):
        # Django 6.1 passes action_location; earlier versions do not
        if self.action_needs_fresh_code(request, posted_action(request)):
            answer = reauth.demand(request)
            if answer is not None:
                return answer
        return super().response_action(request, queryset, *args, **kwargs)

    def delete_view(self, request, object_id, extra_context=None):
        if self.fresh_code_delete:
            answer = reauth.demand(request)
            if answer is not None:
                return answer
        return super().delete_view(request, object_id, extra_context)
