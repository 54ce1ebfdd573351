from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Product


def home(request):
    products = Product.objects.filter(is_public=True)[:24]
    return render(request, "shop/home.html", {"products": products})


def product_detail(request, pk):
    product = get_object_or_404(Product, pk=pk, is_public=True)
    return render(request, "shop/product.html", {"product": product})


@login_required
def account(request):
    orders = request.user.orders.prefetch_related("lines")[:20]
    return render(request, "shop/account.html", {"orders": orders})
