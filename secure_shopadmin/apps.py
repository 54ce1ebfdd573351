from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .core.installation import missing_apps

#: capability sub-packages; each may hold ``checks`` and ``receivers`` modules, imported at start-up
SUBPACKAGES = ("hashers", "twofactor", "lockout", "resets", "alerts", "audit", "campaigns", "console")


def import_if_present(name):
    try:
        import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise


class SecureShopAdminConfig(AppConfig):
    name = "secure_shopadmin"
    verbose_name = _("Security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # imported here, not at the top: models, checks and receivers may load only once the app
        # registry is ready (app loading), and the admin's ready() has imported every admin module
        from . import checks  # noqa: F401  (registers the checks)

        if missing_apps():
            return  # the checks name the missing apps; the receivers and admin panels need their models
        from . import coordination  # noqa: F401  (connects the cross-stage receivers)
        from .admin import sections
        from .admin.console import install_guards
        from .admin.users import install

        for sub in SUBPACKAGES:
            import_if_present(f"{self.name}.{sub}.checks")
            import_if_present(f"{self.name}.{sub}.receivers")
        install()
        install_guards()  # before the replaced models are hidden, so a shown one keeps its fresh code
        sections.install()
