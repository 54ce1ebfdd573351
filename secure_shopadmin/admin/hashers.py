"""Password hash schemes on the user changelist: a filter labelled like the overview and the commands."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from ..hashers.schemes import LABELS, SCHEMES, legacy_hasher, scheme_label
from .users import user_admin_mixin

UNUSABLE = "!"
#: Django's own schemes offered next to the legacy ones (their stored prefix is their name)
OWN_SCHEMES = ("argon2", "argon2w", "pbkdf2_sha256")


def stored_prefix(scheme):
    """What ``User.password`` starts with for ``scheme``: ``md5`` -> ``legacy_md5$``; ``!`` unchanged."""
    if scheme == UNUSABLE:
        return UNUSABLE
    algorithm = legacy_hasher(scheme).algorithm if scheme in SCHEMES else scheme
    return f"{algorithm}$"


class HashSchemeFilter(admin.SimpleListFilter):
    title = gettext_lazy("password hash scheme")
    parameter_name = "hash_scheme"

    def lookups(self, request, model_admin):
        return [(scheme, scheme_label(scheme)) for scheme in (*OWN_SCHEMES, *SCHEMES, UNUSABLE)]

    def queryset(self, request, queryset):
        scheme = self.value()
        if scheme in LABELS and (scheme in SCHEMES or scheme in OWN_SCHEMES or scheme == UNUSABLE):
            return queryset.filter(password__startswith=stored_prefix(scheme))
        return queryset


@user_admin_mixin
class HashSchemeUserAdminMixin:
    def get_list_filter(self, request):
        return (*super().get_list_filter(request), HashSchemeFilter)
