"""ASGI entry point of the example shop console: ``uvicorn shopconsole.asgi:application`` (from example_project/).

With ``DEBUG`` on, static files (the admin's CSS) are served as ``runserver`` serves them.
"""

import os

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopconsole.settings")

application = get_asgi_application()
if settings.DEBUG:
    application = ASGIStaticFilesHandler(application)
