"""A small REST API of the shop: a member's own orders (staff: every order)."""

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from .models import Order


class OrderSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.username")

    class Meta:
        model = Order
        fields = ["id", "member", "status", "created_at"]


class OrderList(ListAPIView):
    serializer_class = OrderSerializer

    def get_queryset(self):
        orders = Order.objects.select_related("member").order_by("-created_at")
        return orders if self.request.user.is_staff else orders.filter(member=self.request.user)
