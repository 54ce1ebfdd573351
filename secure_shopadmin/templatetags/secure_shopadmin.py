"""``{% load secure_shopadmin %}``: ``{% language_switch %}``, Django's ``set_language`` form, shown
only where ``LocaleMiddleware`` is on (the app's pages use it; a shop's own templates may too)."""

from django import template
from django.conf import settings
from django.utils import translation

from ..core.languages import switch_offered

register = template.Library()
SHOWN = "secure_shopadmin.language_switch_shown"


@register.inclusion_tag("secure_shopadmin/language_switch.html", takes_context=True)
def language_switch(context):
    """The switch, once a page: a storefront base that shows it in its header keeps the page's from showing."""
    shown = context.render_context.get(SHOWN, False)
    context.render_context[SHOWN] = True
    request = context.get("request")
    return {
        "offered": switch_offered() and not shown,
        "next": request.get_full_path() if request is not None else "",
        "current": translation.get_language(),
        "languages": [{"code": code, "name": _local_name(code, name)} for code, name in settings.LANGUAGES],
        "csrf_token": context.get("csrf_token"),
    }


def _local_name(code, name):
    """The language's name in itself ("日本語"), or the name ``settings.LANGUAGES`` gives it."""
    try:
        return translation.get_language_info(code)["name_local"]
    except KeyError:
        return str(name)
