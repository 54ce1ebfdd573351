"""Members without a password: they sign in with a passkey only.

The password is made unusable (Django's ``set_unusable_password``), so nothing typed into a
password field opens the account, and a breach of the password table holds nothing of theirs.
Whether the member may do it (a fresh assertion of one of their sign-in passkeys) is checked by the
caller through :func:`secure_shopadmin.pipeline.check_code`.
"""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction

from ..audit.models import EventKind
from ..audit.services import record
from ..core.sessions import end_user_sessions


def may_remove_password(user):
    """Only a member's password can be removed (staff keep one for the console's other ways in)."""
    return not user.is_staff and user.has_usable_password()


@transaction.atomic
def remove_password(request, user):
    """Make ``user``'s password unusable; every other session ends, this one goes on."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    end_user_sessions(user, keep_session_key=request.session.session_key)
    update_session_auth_hash(request, user)  # this session follows the new auth hash
    record(EventKind.PASSWORD_REMOVED, request=request, actor=user, target=user)
