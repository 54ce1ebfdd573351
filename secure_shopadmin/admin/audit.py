from django.contrib import admin

from ..audit.models import SecurityEvent
from .base import ReadOnlyAdminMixin


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the retention command alone deletes rows."""

    list_display = ["created_at", "kind", "actor_username", "target_username", "ip", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["actor_username", "target_username", "ip", "reason"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]

