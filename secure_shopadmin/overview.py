"""The security figures of the shop, gathered from each capability's ``overview`` module.

One source for the admin's Security overview page and for ``manage.py security_report``.
"""

from importlib import import_module

from .apps import SUBPACKAGES
from .conf import app_settings
from .core.figures import Figure

__all__ = ["Figure", "collect", "daily_failures", "failed_thresholds", "providers"]


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
