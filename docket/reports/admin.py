from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docket.core.admin_config import ConfigAdmin, ConfigInline
from docket.core.vocabulary import Kind
from docket.measures.types import SPECS
from docket.reports.models import Metric, MetricSet


class MetricForm(forms.ModelForm[Metric]):
    """Administrators define next year's figures here; only known measure types and subject kinds pass."""

    class Meta:
        model = Metric
        fields = ("key", "label_zh", "label_en", "measure_types", "subject_kinds", "counting", "order")

    def clean_measure_types(self) -> Any:
        value = self.cleaned_data["measure_types"]
        if not isinstance(value, list) or not value or not set(value) <= set(SPECS):
            raise forms.ValidationError(_("a list of measure types: %(v)s") % {"v": ", ".join(SPECS)})
        return value

    def clean_subject_kinds(self) -> Any:
        value = self.cleaned_data["subject_kinds"] or []
        if not isinstance(value, list) or not set(value) <= set(Kind.values):
            raise forms.ValidationError(_("a list of subject kinds: %(v)s") % {"v": ", ".join(Kind.values)})
        return value


class MetricInline(ConfigInline):
    model = Metric
    form = MetricForm
    extra = 1


@admin.register(MetricSet)
class MetricSetAdmin(ConfigAdmin):
    list_display = ("key", "name", "valid_from")
    inlines = [MetricInline]
