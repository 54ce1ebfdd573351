"""Django's ``set_language`` for the app's language switch; a logged-in user's mails follow the choice."""

from django.views import i18n
from django.views.decorators.http import require_POST

from ..core import languages


@require_POST
def set_language(request):
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        languages.remember(request.user, request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER))
    return response
