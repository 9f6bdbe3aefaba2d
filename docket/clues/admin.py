from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docket.cases.admin import DateForm, ReasonForm
from docket.cases.services import case_file
from docket.clues import services as cl
from docket.clues.models import Clue
from docket.core.admin import ScopedAdmin, Step, step_actions
from docket.measures.types import Authority
from docket.offices.models import Office


class FileForm(DateForm):
    title = forms.CharField(label=_("Case title"))


class TransferForm(ReasonForm):
    to_office = forms.CharField(label=_("To office (division code)"), required=False)
    authority = forms.ChoiceField(label=_("Or to authority"), choices=[("", "—"), *Authority.choices], required=False)


def _destination(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    code = data.pop("to_office")
    return {**data, "to_office": Office.objects.filter(code=code).first() if code else None}


STEPS = [
    Step("file", _("File a case"), FileForm, case_file, "clue"),
    Step("no_case", _("No case"), ReasonForm, cl.clue_no_case, "clue"),
    Step("extend", _("Extend the check period"), ReasonForm, cl.clue_check_extend, "clue"),
    Step("transfer", _("Transfer"), TransferForm, cl.clue_transfer, "clue", convert=_destination),
]


@admin.register(Clue)
class ClueAdmin(ScopedAdmin):
    list_display = ("ref", "office", "source", "received_on", "status")
    list_filter = ("status", "source", "received_on")
    search_fields = ("ref", "summary", "subjects__name", "subjects__identifier")
    select_related = ("office",)
    readonly_fields = [f.name for f in Clue._meta.fields] + ["subjects", "campaigns"]
    actions = step_actions(STEPS)
