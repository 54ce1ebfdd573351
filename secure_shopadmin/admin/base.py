from django.template.response import TemplateResponse


class ReadOnlyAdminMixin:
    """Records nobody edits through the admin, superusers included (audit rows, login records, locks)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def confirm_one(model_admin, request, target, form, title, explanation):
    """The page confirming one action on one record (``target``): an explanation and ``form``'s fields."""
    context = {**model_admin.admin_site.each_context(request), "title": title, "explanation": explanation,
               "form": form, "target": target, "opts": model_admin.model._meta}
    return TemplateResponse(request, "secure_shopadmin/admin/confirm_one.html", context)
