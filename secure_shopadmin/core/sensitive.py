"""Secrets stay out of error reports: the names they go by, a decorator, and a reporter filter.

* :data:`SECRET_NAMES`: the local-variable names under which a password, a code, a token or a key
  passes through the app's functions.
* :func:`secret_variables`: Django's ``sensitive_variables`` with those names. Django hides a
  function's variables in its own frame *and every frame it calls*, up to the next decorated one,
  so the app marks each view and service that handles a secret with it.
* :class:`SecretsExceptionReporterFilter`: for ``DEFAULT_EXCEPTION_REPORTER_FILTER``. It hides
  these names in every frame whatever the nearest decorator says (Django's ``authenticate()``
  names only ``credentials``, so a password backend's own ``password`` would show), and the raw
  body of a JSON request.
"""

from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.debug import sensitive_variables

SECRET_NAMES = ("password", "password1", "password2", "new_password", "new_password1", "new_password2",
                "old_password", "raw_password", "credentials", "otp_token", "token", "code", "codes", "key",
                "secret", "raw", "body", "value", "args", "kwargs", "proof", "passkey_answer")
#: hidden by the filter in every frame too: the URL arguments Django's handler passes to a view (a link's token)
HANDLER_NAMES = ("callback_args", "callback_kwargs", "view_args", "view_kwargs")


def secret_variables(func):
    """``@secret_variables``: hide :data:`SECRET_NAMES` in this function's frame and those it calls."""
    return sensitive_variables(*SECRET_NAMES)(func)


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """``DEFAULT_EXCEPTION_REPORTER_FILTER = "secure_shopadmin.core.sensitive.SecretsExceptionReporterFilter"``."""

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = dict(super().get_traceback_frame_variables(request, tb_frame))
        if self.is_active(request):
            for name, value in cleansed.items():
                if name in SECRET_NAMES or name in HANDLER_NAMES:
                    cleansed[name] = self.cleansed_substitute
                elif isinstance(value, dict):  # a POST QueryDict or a dict handed on: its secret keys
                    cleansed[name] = self._cleanse_mapping(value)
        return list(cleansed.items())

    def _cleanse_mapping(self, value):
        secret = [key for key in value if isinstance(key, str) and (key in SECRET_NAMES or "password" in key)]
        if not secret:
            return value
        copy = value.copy()
        for key in secret:
            copy[key] = self.cleansed_substitute
        return copy

    def get_post_parameters(self, request):
        if request is not None and self.is_active(request) and "json" in (request.content_type or ""):
            return {}  # a JSON login's body carries the password; its POST is empty anyway
        parameters = super().get_post_parameters(request)
        if request is None or not self.is_active(request):
            return parameters
        secret = [name for name in parameters if name in SECRET_NAMES or "password" in name]
        if not secret:
            return parameters
        parameters = parameters.copy()  # even where a view forgot sensitive_post_parameters
        for name in secret:
            parameters[name] = self.cleansed_substitute
        return parameters
