"""The input of each step on a clue: real fields, choices limited to what the clue's office allows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.cases.models import BEFORE_DECISION, Case, Flag
from docket.clues.models import Clue, ClueStatus
from docket.core.steps import StepForm
from docket.measures.types import Authority
from docket.offices.models import Office
from docket.subjects.models import Subject


class ClueForm(StepForm):
    obj: Clue

    @property
    def clue(self) -> Clue:
        return self.obj


class DateForm(ClueForm):
    on = forms.DateField(label=_("Date"))


class ReasonForm(DateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class FileForm(DateForm):
    title = forms.CharField(label=_("Case title"), max_length=300)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties (all subjects of the clue when none is chosen)"),
        queryset=Subject.objects.none(),
        required=False,
    )
    flags = forms.MultipleChoiceField(label=_("The case"), choices=Flag.choices, required=False)

    def setup(self) -> None:
        self.fields["parties"].queryset = self.clue.subjects.all()  # type: ignore[attr-defined]

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        data["parties"] = list(data["parties"]) or None
        data["flags"] = list(data["flags"])
        return data


class TransferForm(ReasonForm):
    to_office = forms.ModelChoiceField(label=_("To office"), queryset=Office.objects.none(), required=False)
    authority = forms.ChoiceField(label=_("Or to authority"), choices=[("", "—"), *Authority.choices], required=False)

    def setup(self) -> None:
        self.fields["to_office"].queryset = Office.objects.filter(active=True).exclude(  # type: ignore[attr-defined]
            pk=self.clue.office_id
        )


class MergeForm(DateForm):
    into = forms.ModelChoiceField(label=_("Into clue"), queryset=Clue.objects.none(), required=False)
    into_case = forms.ModelChoiceField(label=_("Or into case"), queryset=Case.objects.none(), required=False)

    def setup(self) -> None:
        office = self.clue.office_id
        self.fields["into"].queryset = Clue.objects.filter(  # type: ignore[attr-defined]
            office_id=office, status=ClueStatus.OPEN
        ).exclude(pk=self.clue.pk)
        self.fields["into_case"].queryset = Case.objects.filter(  # type: ignore[attr-defined]
            office_id=office, state__in=BEFORE_DECISION
        )


class MaterialForm(ClueForm):
    file = forms.FileField(label=_("File"))
    received_on = forms.DateField(label=_("Received on"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False, max_length=4000)

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        upload = data.pop("file")
        return {
            **data,
            "content": upload.read(),
            "name": upload.name,
            "content_type": upload.content_type or "application/octet-stream",
        }
