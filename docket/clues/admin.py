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


def _office(code: str) -> Office | None:
    return Office.objects.filter(code=code).first() if code else None


STEPS = [
    Step(
        "file",
        _("File a case"),
        FileForm,
        lambda actor, obj, data, now: case_file(actor=actor, clue=obj, title=data["title"], on=data["on"], now=now),
    ),
    Step(
        "no_case",
        _("No case"),
        ReasonForm,
        lambda actor, obj, data, now: cl.clue_no_case(
            actor=actor, clue=obj, reason=data["reason"], on=data["on"], now=now
        ),
    ),
    Step(
        "extend",
        _("Extend the check period"),
        ReasonForm,
        lambda actor, obj, data, now: cl.clue_check_extend(
            actor=actor, clue=obj, reason=data["reason"], on=data["on"], now=now
        ),
    ),
    Step(
        "transfer",
        _("Transfer"),
        TransferForm,
        lambda actor, obj, data, now: cl.clue_transfer(
            actor=actor,
            clue=obj,
            reason=data["reason"],
            on=data["on"],
            now=now,
            to_office=_office(data["to_office"]),
            authority=data["authority"],
        ),
    ),
]


@admin.register(Clue)
class ClueAdmin(ScopedAdmin):
    list_display = ("ref", "office", "source", "received_on", "status")
    list_filter = ("status", "source", "received_on")
    search_fields = ("ref", "summary", "subjects__name", "subjects__identifier")
    select_related = ("office",)
    readonly_fields = [f.name for f in Clue._meta.fields] + ["subjects", "campaigns"]
    actions = step_actions(STEPS)
