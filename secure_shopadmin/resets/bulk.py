"""Bulk clean-ups of the resets stage, for thousands of users in a few queries per batch."""

from ..core import api_tokens


def delete_api_tokens_of(user_ids):
    """Revoke every API token of these users (the app's own and DRF ``authtoken``'s, if installed)."""
    return api_tokens.revoke_all(user_ids)
