"""The security figures of the shop, gathered from each capability's ``overview`` module.

One source for the admin's Security overview page and for ``manage.py security_report``.
"""

from dataclasses import dataclass, field
from importlib import import_module

from .apps import SUBPACKAGES
from .conf import app_settings


@dataclass
class Figure:
    """One figure: ``key`` is stable (JSON, thresholds), ``label`` is for people, ``url`` fixes it."""

    key: str
    label: str
    value: object
    url: str = ""
    breakdown: dict = field(default_factory=dict)

    @property
    def number(self):
        return self.value if isinstance(self.value, int) else sum(self.breakdown.values())


def providers():
    found = []
    for sub in SUBPACKAGES:
        try:
            module = import_module(f"secure_shopadmin.{sub}.overview")
        except ModuleNotFoundError as error:
            if error.name != f"secure_shopadmin.{sub}.overview":
                raise
            continue
        found.append(module.figures)
    return found


def collect():
    figures = []
    for provider in providers():
        figures.extend(provider())
    return figures


def failed_thresholds(figures):
    """[(figure, limit)] for every figure above its ``REPORT_THRESHOLDS`` limit."""
    limits = app_settings.REPORT_THRESHOLDS
    return [(f, limits[f.key]) for f in figures if f.key in limits and f.number > limits[f.key]]


def daily_failures(days=14):
    """[(date, failed logins)] for the last ``days`` days, from the capability that counts them."""
    for sub in SUBPACKAGES:
        try:
            module = import_module(f"secure_shopadmin.{sub}.overview")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "daily_failures"):
            return module.daily_failures(days)
    return []
