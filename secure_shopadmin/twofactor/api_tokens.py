"""API tokens issued to sessions that passed the second factor (used only when DRF's authtoken is installed)."""

from django.db import transaction

from ..core import crypto
from ..core.sensitive import secret_variables
from .models import VerifiedApiToken

PURPOSE = "api-token"


def digest(key):
    return crypto.digest(key, PURPOSE)


@secret_variables
@transaction.atomic
def issue(user):
    """A fresh DRF token for ``user``, marked as issued to a verified session; returns its key."""
    from rest_framework.authtoken.models import Token  # optional app: only when installed

    Token.objects.filter(user=user).delete()
    VerifiedApiToken.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    VerifiedApiToken.objects.create(user=user, token_digest=digest(token.key))
    return token.key


@secret_variables
def is_verified(user, key):
    return bool(key) and VerifiedApiToken.objects.filter(user=user, token_digest=digest(key)).exists()
