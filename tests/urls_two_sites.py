from django.contrib import admin
from django.contrib.admin import AdminSite
from django.urls import include, path

second_site = AdminSite(name="console2")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("console2/", second_site.urls),
    path("security/", include("secure_shopadmin.urls")),
    path("", include("shop.urls")),
]
