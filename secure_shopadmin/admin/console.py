"""The console's rules on the host's user admin: a fresh code before deleting a user or changing
what a user may do, and who granted a privilege (for the privilege alerts)."""

from django.contrib.admin.utils import unquote

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
        return bool(PRIVILEGE_FIELDS & set(form.changed_data))

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
