from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecureShopAdminConfig(AppConfig):
    name = "secure_shopadmin"
    verbose_name = _("Security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks and receivers)
