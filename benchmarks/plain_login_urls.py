"""The baseline of ``login_cost.py``: plain Django's admin ``LoginView``, nothing of this app in front."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
