class ReadOnlyAdminMixin:
    """Records nobody edits through the admin, superusers included (audit rows, login records, locks)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
