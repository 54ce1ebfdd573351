"""The mailed unlock link: GET shows a button and changes nothing; the POST spends the link.

Whatever is wrong with a link (unknown, spent, expired) the answer is the lockout page (429),
the same a locked login gets: the link never tells whether an account exists or is locked.
"""

from django.conf import settings
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from ..conf import app_settings
from ..core.looks import page_context
from ..core.redirects import safe_redirect
from ..core.sensitive import secret_variables
from . import services
from .forms import UnlockForm
from .responses import lockout_response


@secret_variables
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def unlock(request, token):
    form = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.confirm_unlock_link(request, token)
        if user is None:
            return lockout_response(request, app_settings.LOCKOUT_ACCOUNT_LOCK_RETRY_AFTER)
        messages.success(request, _("This browser may log in again."))
        storefront_login = app_settings.STOREFRONT_LOGIN_URL_NAME or settings.LOGIN_URL
        return safe_redirect(request, "admin:login" if user.is_staff else storefront_login)
    link = services.find_unlock_link(token)
    context = {**page_context(request, user=link.user if link is not None else None),
               "title": _("Unlock your account"), "form": form}
    return TemplateResponse(request, "secure_shopadmin/lockout/unlock.html", context)
