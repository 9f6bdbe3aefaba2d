from django.contrib import admin

from docket.core.admin import ScopedAdmin, registry_actions
from docket.measures.filtersets import MeasureFilterSet
from docket.measures.models import FinePayment, Measure, MeasureTarget
from docket.measures.steps import STEPS


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    list_display = ("id", "type", "office", "taken_on", "case", "amount", "quantity")
    list_filter = ("type", "taken_on")
    search_fields = ("case__ref",)
    subject_search = "subjects"
    select_related = ("office", "case")
    readonly_fields = [f.name for f in Measure._meta.fields] + ["campaigns"]
    actions = registry_actions(STEPS.values())

    # The report's drill-down links filter through the same FilterSet as the pages and the API will.
    filterset_class = MeasureFilterSet
    # One COUNT per page: the "of N in total" beside a filtered count costs a second scan of the jurisdiction.
    show_full_result_count = False


for model in (MeasureTarget, FinePayment):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ScopedAdmin,),
            {
                "list_display": ("__str__", "measure"),
                "select_related": ("measure",),
            },
        ),
    )
