"""The input of each step of the case procedure: real fields, choices limited to what the case allows.

Forms check the shape of the input (types, required fields, choices); whether the step may be taken is the
service's gate, and the rules an amount must follow are ``cases.rules`` — the same functions the service runs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from docket.cases import rules
from docket.cases.models import Case, Outcome, Recusal, SuspensionReason
from docket.core.steps import StepForm
from docket.measures.forms import DATE, TYPE_FIELDS, type_fields
from docket.measures.types import DECISION_TYPES, SPECS, Authority, MeasureType
from docket.officers.models import Officer, Role
from docket.offices.models import Office
from docket.subjects.models import Subject
from docket.taxonomy.models import Provision, ViolationCategory

# What a decision may impose, in the order the measure types are declared.
DECISION_CHOICES = [(m.value, m.label) for m in MeasureType if m.value in DECISION_TYPES]


class CaseForm(StepForm):
    obj: Case

    @property
    def case(self) -> Case:
        return self.obj

    def office_officers(self, *roles: str) -> Any:
        """Active officers of the case's own office holding one of ``roles``."""
        qs = Officer.objects.filter(office_id=self.case.office_id, is_active=True)
        if roles:
            qs = qs.filter(roles__role__in=roles).distinct()
        return qs.order_by("username")


class DateForm(CaseForm):
    on = forms.DateField(label=_("Date"))


class ReasonForm(DateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class AssignForm(DateForm):
    """The case's investigators as the head wants them: the list starts with those assigned now, and by default
    the ones left unselected are taken off the case (a reassignment). Unticking ``replace`` only adds; a client
    that leaves it out (the API) adds, as assigning always did."""

    officers = forms.ModelMultipleChoiceField(label=_("Investigators"), queryset=Officer.objects.none())
    replace = forms.BooleanField(
        label=_("Take the investigators not selected off the case"), required=False, initial=True
    )

    def setup(self) -> None:
        self.fields["officers"].queryset = self.office_officers(Role.CASE_OFFICER)  # type: ignore[attr-defined]
        self.fields["officers"].initial = list(
            self.case.assignments.filter(active=True).values_list("officer_id", flat=True)
        )

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "officers": list(self.cleaned_data["officers"])}


class ViolationForm(CaseForm):
    category = forms.ModelChoiceField(label=_("Violation"), queryset=ViolationCategory.objects.all())
    provisions = forms.ModelMultipleChoiceField(label=_("Provisions applied"), queryset=Provision.objects.all())
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea, required=False, max_length=20000)

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "provisions": list(self.cleaned_data["provisions"])}


class RecusalRequestForm(DateForm):
    officer = forms.ModelChoiceField(label=_("Investigator"), queryset=Officer.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)
    by_party = forms.BooleanField(label=_("Requested by the party"), required=False, initial=True)

    def setup(self) -> None:
        self.fields["officer"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            assignments__case=self.case
        ).order_by("username")


class RecusalDecideForm(DateForm):
    recusal = forms.ModelChoiceField(label=_("Recusal request"), queryset=Recusal.objects.none())
    granted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Granted")), ("0", _("Refused"))],
        coerce=lambda v: v == "1",
    )

    def setup(self) -> None:
        self.fields["recusal"].queryset = self.case.recusals.filter(  # type: ignore[attr-defined]
            granted__isnull=True
        ).select_related("officer")

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        return {"recusal": data["recusal"], "granted": data["granted"], "on": data["on"]}


class PenaltyForm(forms.Form):
    """One measure of a draft decision: its type, then only the fields that type carries.

    The type comes first — the posted one, or the ``initial`` one a page offers (``DraftForm.offer``) — and the
    form then holds that type's fields alone (``measures.forms.type_fields``, as a measure recorded on its own):
    an amount for a fine, a date to rectify by for an order to rectify, a period for a suspension, none for a
    warning. Without a type it offers the type alone."""

    measure = forms.ChoiceField(label=_("Measure"))
    subject = forms.ModelChoiceField(label=_("Party"), queryset=Subject.objects.none())
    amount = forms.DecimalField(label=_("Amount (CNY)"), required=False, max_digits=14, decimal_places=2, min_value=0)
    due_on = forms.DateField(label=_("Rectify by"), required=False, widget=DATE)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DATE)

    type_chosen = ""
    # The page's link that takes this measure out of the draft again (set by ``DraftForm.offer``).
    remove_url = ""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["measure"].choices = DECISION_CHOICES  # type: ignore[attr-defined]
        self.fields["subject"].queryset = case.parties.all()  # type: ignore[attr-defined]
        chosen = self.data.get(self.add_prefix("measure")) if self.is_bound else self.initial.get("measure")
        if chosen in DECISION_TYPES:
            self.narrow(str(chosen))

    def narrow(self, type: str) -> None:
        for name in (TYPE_FIELDS - type_fields(type)) & set(self.fields):
            del self.fields[name]
        self.fields["measure"].widget = forms.HiddenInput()
        self.type_chosen = type

    @property
    def type_label(self) -> str:
        return str(MeasureType(self.type_chosen).label) if self.type_chosen else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        measure = data.get("measure")
        if measure not in SPECS:
            return data
        spec = SPECS[measure]
        if spec.amount and data.get("amount") is None:
            self.add_error("amount", _("required for this measure"))
        if spec.due_date and data.get("due_on") is None:
            self.add_error("due_on", _("required for this measure"))
        if spec.period and data.get("starts_on") is None:
            self.add_error("starts_on", _("required for this measure"))
        if self.errors:
            return data
        # The statutory range of the cited provisions: the same rule the service applies.
        problems = rules.range_errors(self.case, [self.item()])
        if problems:
            raise forms.ValidationError("; ".join(problems))
        return data

    def item(self) -> dict[str, Any]:
        """The measure as the services take it."""
        data = self.cleaned_data
        spec = SPECS[data["measure"]]
        item: dict[str, Any] = {"measure": data["measure"], "subject": data["subject"].pk}
        if spec.amount and data.get("amount") is not None:
            item["amount"] = str(data["amount"])
        if spec.due_date and data.get("due_on"):
            item["due_on"] = data["due_on"].isoformat()
        if spec.period and data.get("starts_on"):
            item["starts_on"] = data["starts_on"].isoformat()
            item["ends_on"] = data["ends_on"].isoformat() if data.get("ends_on") else None
        return item


class BasePenaltyFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        seen: set[tuple[str, int]] = set()
        for form in self.forms:
            if not form.has_changed() or not form.is_valid() or not form.cleaned_data:
                continue
            key = (form.cleaned_data["measure"], form.cleaned_data["subject"].pk)
            if key in seen:
                raise forms.ValidationError(_("The same measure twice against one party."))
            seen.add(key)


# The measures a draft holds are the ones chosen first (``DraftForm.offer``): no blank one is added.
PenaltyFormSet = forms.formset_factory(PenaltyForm, formset=BasePenaltyFormSet, extra=0, max_num=50, validate_max=True)


class DraftForm(CaseForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    facts = forms.CharField(label=_("Facts found"), widget=forms.Textarea, max_length=20000)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False, max_length=4000)
    discretion = forms.CharField(label=_("Discretion applied"), widget=forms.Textarea, required=False, max_length=4000)

    # Links that add a measure of each type to the draft (set by ``offer``; a page shows them).
    measure_choices: list[tuple[str, str, str]] = []

    def setup(self) -> None:
        self.penalties = self._penalties([])

    def _penalties(self, types: list[str]) -> forms.BaseFormSet:  # type: ignore[type-arg]
        return PenaltyFormSet(
            self.data if self.is_bound else None,
            prefix="penalties",
            form_kwargs={"case": self.case},
            initial=[{"measure": t} for t in types] or None,
        )

    def offer(self, query: Any) -> None:
        """The measures a page was asked for (``?measure=fine&measure=warning``), each a form of its type's own
        fields, with the links that add a measure of a type or take one out again (type first: each choice is a
        page of its own, no script needed)."""
        types = [t for t in query.getlist("measure") if t in DECISION_TYPES][: PenaltyFormSet.max_num]
        self.penalties = self._penalties(types)

        def url(chosen: list[str]) -> str:
            return "?" + urlencode([("measure", t) for t in chosen]) if chosen else "?"

        for i, form in enumerate(self.penalties.forms):
            form.remove_url = url(types[:i] + types[i + 1 :])
        if len(types) < PenaltyFormSet.max_num:
            self.measure_choices = [(value, str(label), url([*types, value])) for value, label in DECISION_CHOICES]

    def is_valid(self) -> bool:
        return super().is_valid() & self.penalties.is_valid()

    def arguments(self) -> dict[str, Any]:
        items = [f.item() for f in self.penalties.forms if f.has_changed() and f.cleaned_data]
        return {**super().arguments(), "penalties": items}


class ReviewForm(DateForm):
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea, max_length=20000)


class DiscussionForm(DateForm):
    attendees = forms.CharField(label=_("Attendees (one per line)"), widget=forms.Textarea, max_length=4000)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, max_length=50000)
    conclusion = forms.CharField(label=_("Conclusion"), max_length=4000)

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        data["attendees"] = [line.strip() for line in data["attendees"].splitlines() if line.strip()]
        return data


class NoticeForm(CaseForm):
    served_on = forms.DateField(label=_("Served on"))


class StatementForm(DateForm):
    content = forms.CharField(label=_("What the party stated"), widget=forms.Textarea, required=False, max_length=50000)
    waives_hearing = forms.BooleanField(label=_("The party waives a hearing"), required=False)
    recheck = forms.CharField(
        label=_("Re-check of the party's arguments"), widget=forms.Textarea, required=False, max_length=50000
    )


class HearingForm(CaseForm):
    notified_on = forms.DateField(label=_("Hearing notice served on"))
    held_on = forms.DateField(label=_("Held on"))
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=Officer.objects.none())
    record = forms.CharField(label=_("Hearing record"), widget=forms.Textarea, max_length=50000)

    def setup(self) -> None:
        self.fields["chair"].queryset = self.office_officers()  # type: ignore[attr-defined]


class DecideForm(DateForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False, max_length=4000)
    discretion = forms.CharField(
        label=_("Discretion benchmark applied"), widget=forms.Textarea, required=False, max_length=4000
    )

    def setup(self) -> None:
        # The decision starts from the draft; it may lighten it (the service refuses anything heavier).
        self.fields["outcome"].initial = self.case.proposed_outcome
        self.fields["legal_basis"].initial = self.case.proposed_legal_basis
        self.fields["discretion"].initial = self.case.proposed_discretion


class ServeForm(CaseForm):
    served_on = forms.DateField(label=_("Served on"))
    method = forms.CharField(label=_("Method"), max_length=40)
    party_present = forms.BooleanField(label=_("Party present"), required=False)
    proof = forms.CharField(label=_("Proof of service"), max_length=300)


class TransferForm(DateForm):
    to_office = forms.ModelChoiceField(label=_("To office"), queryset=Office.objects.none(), required=False)
    authority = forms.ChoiceField(label=_("Or to authority"), choices=[("", "—"), *Authority.choices], required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)

    def setup(self) -> None:
        self.fields["to_office"].queryset = Office.objects.filter(active=True).exclude(  # type: ignore[attr-defined]
            pk=self.case.office_id
        )


class SuspendForm(CaseForm):
    starts_on = forms.DateField(label=_("From"))
    reason = forms.ChoiceField(label=_("Reason"), choices=SuspensionReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class ResumeForm(CaseForm):
    ends_on = forms.DateField(label=_("Resumed on"))


class SuperviseForm(DateForm):
    instructions = forms.CharField(label=_("Instructions"), widget=forms.Textarea, max_length=20000)
    due_on = forms.DateField(label=_("Report back by"), required=False)


class EvidenceForm(CaseForm):
    file = forms.FileField(label=_("File"))
    collected_on = forms.DateField(label=_("Collected on"))
    collectors = forms.ModelMultipleChoiceField(label=_("Collected by"), queryset=Officer.objects.none())
    method = forms.CharField(label=_("How collected"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False, max_length=4000)

    def setup(self) -> None:
        self.fields["collectors"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            assignments__case=self.case, assignments__active=True
        ).order_by("username")

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        upload = data.pop("file")
        return {
            **data,
            "collectors": list(data["collectors"]),
            "content": upload.read(),
            "name": upload.name,
            "content_type": upload.content_type or "application/octet-stream",
        }
