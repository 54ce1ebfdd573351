"""The second factor's part in the pipeline."""


def pending_step(request, user, partial):
    """The second-factor step this login still needs, or None.

    Until the TOTP sub-app lands, no user is under a second-factor policy.
    """
    return None
