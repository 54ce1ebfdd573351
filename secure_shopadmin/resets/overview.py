from django.urls import reverse
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .models import ResetRequirement


def figures():
    pending = {}
    for mode in ResetRequirement.objects.pending().values_list("mode", flat=True):
        pending[mode] = pending.get(mode, 0) + 1
    return [Figure("pending_resets", _("Pending password resets, by mode"), None,
                   reverse("admin:secure_shopadmin_resetrequirement_changelist"), breakdown=pending)]
