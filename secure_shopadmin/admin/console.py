"""The console's rules on the admin: a fresh code before deleting a user or changing what a user
may do, who granted a privilege (for the privilege alerts), and a fresh code before any change to
the groups (their permissions reach every member) or to DRF's token admin, when a site shows it."""

from django.apps import apps
from django.contrib.admin.sites import all_sites
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group

from ..console import privileges, reauth
from ..console.decorators import FreshCodeAdminMixin
from .users import user_admin_mixin

#: change-form fields whose change needs a fresh code
PRIVILEGE_FIELDS = frozenset({"is_staff", "is_superuser", "groups", "user_permissions"})


@user_admin_mixin
class ConsoleUserAdminMixin(FreshCodeAdminMixin):
    fresh_code_actions = ("delete_selected",)
    fresh_code_delete = True

    def changes_privileges(self, request, object_id):
        """True when this POST would change a privilege field of the user (the form is built only
        when the session's code is stale)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return False
        form_class = self.get_form(request, obj, change=True)
        form = form_class(request.POST, request.FILES, instance=obj)
        changed = set(form.changed_data)
        if "is_active" in changed and (obj.is_staff or obj.is_superuser):
            return True  # (re)activating or deactivating an account that holds console rights
        return bool(PRIVILEGE_FIELDS & changed)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if (request.method == "POST" and object_id is not None and not reauth.is_fresh(request)
                and self.changes_privileges(request, object_id)):
            answer = reauth.demand(request)
            if answer is not None:
                return answer
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        privileges.granted_by(obj, request)
        super().save_model(request, obj, form, change)


class FreshCodeEverywhereMixin(FreshCodeAdminMixin):
    """Every save, action and delete asks for a fresh code (groups, API tokens)."""

    fresh_code_actions = "__all__"
    fresh_code_delete = True
    fresh_code_save = True

    def save_model(self, request, obj, form, change):
        privileges.granted_by(obj, request)  # a group's new permissions are told with who added them
        super().save_model(request, obj, form, change)


def guarded_models():
    """The models whose admin gets :class:`FreshCodeEverywhereMixin`: groups, and DRF's token proxy."""
    models = [Group]
    if apps.is_installed("rest_framework.authtoken"):
        models.append(apps.get_model("authtoken", "TokenProxy"))
    return models


def install_guards():
    """Put :class:`FreshCodeEverywhereMixin` in front of those models' registered ModelAdmins on every site
    (called from ``AppConfig.ready``); a model a site does not show is left alone."""
    for site in list(all_sites):
        for model in guarded_models():
            model_admin = site._registry.get(model)
            if model_admin is None or isinstance(model_admin, FreshCodeEverywhereMixin):
                continue
            cls = type(model_admin)
            site.unregister(model)
            site.register(model, type(f"FreshCode{cls.__name__}", (FreshCodeEverywhereMixin, cls),
                                      {"__module__": cls.__module__}))
