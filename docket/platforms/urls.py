"""The platform channel's paths, included in /api/v1/ (``docket.api.urls``)."""

from django.urls import path

from docket.platforms import api

urlpatterns = [
    path("orders/", api.OrderList.as_view(), name="orders"),
    path("orders/<int:pk>/", api.OrderDetail.as_view(), name="order"),
    path("orders/<int:pk>/items/", api.OrderItems.as_view(), name="order-items"),
    path("orders/<int:pk>/reports/", api.OrderReports.as_view(), name="order-reports"),
]
