from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Docket"
admin.site.site_title = "Docket"

urlpatterns = [
    path("", include("docket.accounts.urls")),
    path("", include("docket.web.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("docket.api.urls")),
]
