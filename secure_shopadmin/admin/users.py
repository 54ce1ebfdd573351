"""Security features on the host's own user admin, whatever ModelAdmin it registered.

Each capability contributes a mixin (actions, buttons, panels on the change page); at start-up
:func:`install` re-registers the user model on every admin site with a subclass of the site's
own ModelAdmin that adds them, so a shop's customised UserAdmin keeps all it had.
"""

from django.contrib.admin.sites import all_sites
from django.contrib.auth import get_user_model
from django.template.loader import select_template

#: mixins added in front of the registered user ModelAdmin, first one outermost
USER_ADMIN_MIXINS = []


def user_admin_mixin(cls):
    """Class decorator: register ``cls`` as a user-admin mixin."""
    USER_ADMIN_MIXINS.append(cls)
    return cls


class SecurityToolsMixin:
    """Base of the composed admin: buttons (``security_tools``) and panels (``security_panels``) that
    each capability's mixin contributes on the user's change page, through ``super()``."""

    def security_tools(self, request, obj):
        """[(label, url)] for the object-tools row."""
        return []

    def security_panels(self, request, obj):
        """[(title, template name, context)] rendered below the fieldsets."""
        return []

    def security_actions(self, request):
        """Names of this admin's methods offered as changelist actions to this request's user."""
        return []

    def get_actions(self, request, action_location=None):
        # Django 6.1 passes where the actions show and makes Action objects of them; earlier, tuples
        where = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **where)
        for name in self.security_actions(request):
            action = self.get_action(name, **where)
            if action is not None:
                actions[name] = action
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if obj is not None and getattr(response, "template_name", None):
            response.context_data.update({
                "ssa_base_template": select_template(response.template_name).template,
                "security_tools": self.security_tools(request, obj),
                "security_panels": self.security_panels(request, obj),
            })
            response.template_name = "secure_shopadmin/admin/user_change_form.html"
        return response


def secure_user_admin(model_admin_class):
    if getattr(model_admin_class, "_secure_shopadmin", False):
        return model_admin_class
    attrs = {"_secure_shopadmin": True, "__module__": model_admin_class.__module__}
    bases = (*USER_ADMIN_MIXINS, SecurityToolsMixin, model_admin_class)
    return type(f"Secure{model_admin_class.__name__}", bases, attrs)


def install():
    """Wrap the user model's ModelAdmin on every admin site (called from ``AppConfig.ready``)."""
    if not USER_ADMIN_MIXINS:
        return
    user_model = get_user_model()
    for site in list(all_sites):
        model_admin = site._registry.get(user_model)
        if model_admin is None:
            continue
        site.unregister(user_model)
        site.register(user_model, secure_user_admin(type(model_admin)))
