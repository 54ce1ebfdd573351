from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse


def target_or_404(model_admin, request, object_id):
    """The record an admin tool URL names, or 404 for an unknown or malformed id (never a 500)."""
    obj = model_admin.get_object(request, unquote(object_id))  # a bad id gives None, like the change page
    if obj is None:
        raise Http404
    return obj


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
