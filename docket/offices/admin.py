from django.contrib import admin

from docket.core.admin_config import ConfigAdmin
from docket.offices.models import Office


@admin.register(Office)
class OfficeAdmin(ConfigAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path",)
    raw_id_fields = ("parent",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Offices come from `docket offices load-cn` or office_create, which keep the tree's paths right.
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ("code", "parent", "level", "path")
