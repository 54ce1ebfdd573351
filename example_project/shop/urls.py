from django.contrib.auth.views import LogoutView
from django.urls import path

from secure_shopadmin.views import LoginView

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("login/", LoginView.as_view(template_name="shop/login.html"), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
]
