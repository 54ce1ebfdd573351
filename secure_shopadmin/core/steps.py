"""The vocabulary of the login pipeline that every stage speaks: channels and steps."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """The login path a session came through (its label is what admin lists show)."""

    CONSOLE = "console", pgettext_lazy("login path", "console")
    STOREFRONT = "storefront", pgettext_lazy("login path", "storefront")
    API = "api", pgettext_lazy("login path", "API")


def channel_for(user):
    """The channel a mailed link logs ``user`` in through: staff to the console, others to the storefront."""
    return Channel.CONSOLE if user.is_staff else Channel.STOREFRONT


@dataclass(frozen=True)
class Step:
    """A step a partial login must take: its name, where to send the user, which URL names serve it,
    and the ``code`` an API request is refused with meanwhile."""

    name: str
    url: str
    url_names: tuple = ()
    api_code: str = "login_incomplete"
