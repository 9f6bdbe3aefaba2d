from django.contrib import admin

from docket.core.admin import ScopedAdmin
from docket.evidence.models import EvidenceItem


@admin.register(EvidenceItem)
class EvidenceAdmin(ScopedAdmin):
    list_display = ("name", "case", "clue", "collected_on", "size", "sha256")
    search_fields = ("name", "sha256", "case__ref")
    select_related = ("case", "clue")
    readonly_fields = [f.name for f in EvidenceItem._meta.fields] + ["collectors"]
