from django.contrib import admin

from secure_shopadmin.console.decorators import FreshCodeAdminMixin

from .models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(FreshCodeAdminMixin, admin.ModelAdmin):
    # deleting products (one, or a selection) asks for a fresh second-factor code first
    fresh_code_actions = ("delete_selected",)
    fresh_code_delete = True
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
