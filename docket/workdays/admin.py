from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from docket.core.admin import actor_of
from docket.core.admin_config import ConfigAdmin, ConfigInline, is_administrator
from docket.workdays.models import CalendarDay, CalendarYear, ClockRule, ProcedureProfile
from docket.workdays.services import calendar_day_set


class ClockInline(ConfigInline):
    model = ClockRule
    extra = 0


@admin.register(ProcedureProfile)
class ProfileAdmin(ConfigAdmin):
    list_display = ("name", "slug", "is_default")
    inlines = [ClockInline]


@admin.register(CalendarYear)
class CalendarYearAdmin(ConfigAdmin):
    list_display = ("year", "source")


@admin.register(CalendarDay)
class CalendarDayAdmin(ConfigAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:  # noqa: FBT001
        saved = calendar_day_set(
            actor=actor_of(request), date=obj.date, kind=obj.kind, name=obj.name, now=timezone.now()
        )
        obj.pk = saved.pk if saved else None

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_day_set(actor=actor_of(request), date=obj.date, kind=None, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
