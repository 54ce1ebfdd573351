"""The console session: how long it lasts, where it may be reached from, and a fresh code before
sensitive actions.

* :mod:`.gate` — called once per request by the enforcement middleware: the network rule
  (``CONSOLE_ALLOWED_NETWORKS``) and the idle and absolute timeouts, decided from the session.
* :mod:`.reauth` — "sudo mode": :func:`~.decorators.fresh_code_required` and
  :class:`~.decorators.FreshCodeAdminMixin` ask for a fresh second-factor code
  (``REAUTH_MAX_AGE``) and then complete the action with the POST data it was asked with.
* :mod:`.passes` — the break-glass link (``manage.py console_pass``) that lets one browser in
  from any network.
* :mod:`.privileges` — mails and audit events when someone is granted staff, superuser or an
  admin group.

It sits above the stages (it orchestrates the guard and the second factor), beside the pipeline.
"""
