from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Example Shop console"
admin.site.site_title = "Example Shop console"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("security/", include("secure_shopadmin.urls")),
    path("", include("shop.urls")),
]
