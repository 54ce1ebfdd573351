"""Bulk clean-ups of the resets stage, for thousands of users in a few queries per batch."""

from django.apps import apps


def delete_api_tokens_of(user_ids):
    """Delete Django REST framework tokens (``rest_framework.authtoken``) of these users, if installed."""
    if not apps.is_installed("rest_framework.authtoken"):
        return 0
    from rest_framework.authtoken.models import Token  # optional app: only when installed

    deleted, _ = Token.objects.filter(user_id__in=user_ids).delete()
    return deleted
