"""The required actions' part in the pipeline."""


def pending_step(request, user, partial):
    """The required-action step this login still needs, or None.

    Until forced resets land, no user has a pending requirement.
    """
    return None
