from django.contrib import admin

from docket.clues.filtersets import ClueFilterSet
from docket.clues.models import Clue
from docket.clues.steps import STEPS
from docket.core.admin import ScopedAdmin, registry_actions


@admin.register(Clue)
class ClueAdmin(ScopedAdmin):
    list_display = ("ref", "office", "source", "received_on", "status", "due_on")
    list_filter = ("status", "source", "received_on")
    search_fields = ("ref", "summary")
    subject_search = "subjects"
    select_related = ("office",)
    # One COUNT per page: the "of N in total" beside a filtered count costs a second scan of the jurisdiction.
    show_full_result_count = False
    # Rendering a row costs more than reading it (the action checkbox is a template of its own): 50 rows a page.
    list_per_page = 50
    readonly_fields = [f.name for f in Clue._meta.fields] + ["subjects", "campaigns"]
    actions = registry_actions(STEPS.values())
    filterset_class = ClueFilterSet
