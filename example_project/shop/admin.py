from django.contrib import admin

from .models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "price", "stock", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["sku", "name"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    inlines = [OrderLineInline]
