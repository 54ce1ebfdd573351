"""The admin index as the app leaves it: other apps' models that the app replaces are hidden, and
the Security section opens with its overview.

django-axes registers its attempt, access-log and failure-log models, which the guard does not use
for its decisions (its own counters are the Locks, its history the Login records); DRF's
``authtoken`` registers its token table, which the app's own API tokens replace. Both are
unregistered at start-up unless ``ADMIN_SHOW_REPLACED_MODELS`` is on. The admin's index and nav
sidebar sort a section's models by name; on every admin site the Security section is re-sorted
so that the overview comes first, the others keep their order.
"""

from django.apps import apps
from django.contrib.admin.sites import all_sites

from ..audit.models import SecurityOverview
from ..conf import app_settings

#: (app label, model name) of the models the app replaces; an app that is not installed is skipped
REPLACED_MODELS = (
    ("axes", "AccessAttempt"),
    ("axes", "AccessLog"),
    ("axes", "AccessFailureLog"),
    ("authtoken", "TokenProxy"),
)


def replaced_models():
    """The installed models of :data:`REPLACED_MODELS`."""
    found = []
    for app_label, model_name in REPLACED_MODELS:
        try:
            found.append(apps.get_model(app_label, model_name))
        except LookupError:
            continue
    return found


def hide_replaced_models(sites=None):
    """Unregister the replaced models from ``sites`` (default: every admin site), unless the setting shows them."""
    if app_settings.ADMIN_SHOW_REPLACED_MODELS:
        return
    for site in list(all_sites) if sites is None else sites:
        for model in replaced_models():
            if site.is_registered(model):
                site.unregister(model)


def overview_first(app_list):
    """``app_list`` (the admin's) with the Security overview first in its section."""
    opts = SecurityOverview._meta
    for section in app_list:
        if section["app_label"] == opts.app_label:
            section["models"].sort(key=lambda entry: entry["object_name"] != opts.object_name)
    return app_list


def put_overview_first(site):
    """Make ``site``'s index, app page and nav sidebar list the Security overview first."""
    if getattr(site, "_ssa_overview_first", False):
        return
    sorted_by_name = site.get_app_list

    def get_app_list(request, app_label=None):
        return overview_first(sorted_by_name(request, app_label))

    site.get_app_list = get_app_list
    site._ssa_overview_first = True


def install():
    """Called from ``AppConfig.ready``, after the admin's autodiscovery registered every app's models."""
    hide_replaced_models()
    for site in list(all_sites):
        put_overview_first(site)
