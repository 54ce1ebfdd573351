from django.contrib import admin
from django.urls import include, path

from secure_shopadmin.drf_views import ObtainVerifiedTokenView, PasswordTokenView
from shop.api import OrderList

admin.site.site_header = "Example Shop console"
admin.site.site_title = "Example Shop console"

urlpatterns = [
    path("api/orders/", OrderList.as_view(), name="api-orders"),
    path("api/token/", ObtainVerifiedTokenView.as_view(), name="api-token"),
    path("api/token/password/", PasswordTokenView.as_view(), name="api-token-password"),
    path("admin/", admin.site.urls),
    path("security/", include("secure_shopadmin.urls")),
    path("", include("shop.urls")),
]
