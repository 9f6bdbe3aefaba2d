from django.contrib import admin

from docket.campaigns.models import Campaign
from docket.core.admin_config import ConfigAdmin


@admin.register(Campaign)
class CampaignAdmin(ConfigAdmin):
    list_display = ("slug", "name", "starts_on", "ends_on", "lead_office")
    search_fields = ("slug", "name")
    raw_id_fields = ("lead_office",)
    filter_horizontal = ("offices",)
