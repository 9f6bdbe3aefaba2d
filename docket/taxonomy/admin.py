from django.contrib import admin

from docket.core.admin_config import ConfigAdmin
from docket.taxonomy.models import Provision, ViolationCategory


@admin.register(Provision)
class ProvisionAdmin(ConfigAdmin):
    list_display = ("__str__", "fine_min", "fine_max", "fine_relative")
    search_fields = ("law", "summary")


@admin.register(ViolationCategory)
class CategoryAdmin(ConfigAdmin):
    list_display = ("code", "name", "version")
    list_filter = ("version",)
    filter_horizontal = ("provisions",)
