from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """A step a partial login must take: its name, where to send the user, which URL names serve it,
    and the ``code`` an API request is refused with meanwhile."""

    name: str
    url: str
    url_names: tuple = ()
    api_code: str = "login_incomplete"
