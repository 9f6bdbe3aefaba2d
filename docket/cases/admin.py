import json
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docket.cases import services as cs
from docket.cases.models import (
    Assignment,
    Case,
    CaseViolation,
    ClockSuspension,
    Document,
    Outcome,
    ProcedureRecord,
    Recusal,
    SuspensionReason,
)
from docket.cases.models import (
    Step as RecordStep,
)
from docket.core.admin import ScopedAdmin, Step, step_actions
from docket.core.errors import FieldError, InvalidInput
from docket.officers.models import Officer


class DateForm(forms.Form):
    on = forms.DateField(label=_("Date"))


class ReasonForm(DateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class AssignForm(DateForm):
    usernames = forms.CharField(label=_("Investigators (user names, comma-separated)"))


class DraftForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    facts = forms.CharField(label=_("Facts found"), widget=forms.Textarea)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False)
    discretion = forms.CharField(label=_("Discretion applied"), widget=forms.Textarea, required=False)
    penalties = forms.CharField(
        label=_("Measures (JSON list)"),
        widget=forms.Textarea,
        required=False,
        initial="[]",
        help_text=_('e.g. [{"measure": "fine", "subject": 12, "amount": "50000.00"}]'),
    )

    def clean_penalties(self) -> list[dict[str, Any]]:
        text = self.cleaned_data["penalties"] or "[]"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("not valid JSON: %(e)s") % {"e": exc.msg}) from None
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise forms.ValidationError(_("a JSON list of objects"))
        return value


class ReviewForm(DateForm):
    approved = forms.BooleanField(label=_("Approved"), required=False)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea)


class DiscussionForm(DateForm):
    attendees = forms.CharField(label=_("Attendees (one per line)"), widget=forms.Textarea)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea)
    conclusion = forms.CharField(label=_("Conclusion"))


class StatementForm(DateForm):
    content = forms.CharField(label=_("What the party stated"), widget=forms.Textarea, required=False)
    waives_hearing = forms.BooleanField(label=_("The party waives a hearing"), required=False)
    recheck = forms.CharField(label=_("Re-check of the party's arguments"), widget=forms.Textarea, required=False)


class HearingForm(forms.Form):
    notified_on = forms.DateField(label=_("Hearing notice served on"))
    held_on = forms.DateField(label=_("Held on"))
    chair = forms.CharField(label=_("Chair (user name)"))
    record = forms.CharField(label=_("Hearing record"), widget=forms.Textarea)


class DecideForm(DateForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False)
    discretion = forms.CharField(label=_("Discretion benchmark applied"), widget=forms.Textarea, required=False)


class ServeForm(DateForm):
    method = forms.CharField(label=_("Method"))
    party_present = forms.BooleanField(label=_("Party present"), required=False)
    proof = forms.CharField(label=_("Proof of service"))


class SuspendForm(DateForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=SuspensionReason.choices)
    note = forms.CharField(label=_("Note"), required=False)


class SuperviseForm(DateForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(RecordStep.SUPERVISION, _("Supervision")), (RecordStep.INSTRUCTION, _("Instruction"))],
    )
    instructions = forms.CharField(label=_("Instructions"), widget=forms.Textarea)
    due_on = forms.DateField(label=_("Report back by"), required=False)


def _officers(actor: Any, names: list[str], field: str) -> list[Officer]:
    found = {o.username: o for o in Officer.objects.visible_to(actor).filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise InvalidInput([FieldError(field, _("no officer %(n)r in your jurisdiction") % {"n": n}) for n in missing])
    return [found[n] for n in names]


def _assign(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    names = [n.strip() for n in data.pop("usernames").split(",") if n.strip()]
    return {**data, "officers": _officers(actor, names, "usernames")}


def _chair(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "chair": _officers(actor, [data["chair"]], "chair")[0]}


def _attendees(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "attendees": data["attendees"].splitlines()}


STEPS = [
    Step("assign", _("Assign investigators"), AssignForm, cs.case_assign, "case", convert=_assign),
    Step("investigation_start", _("Start investigation"), DateForm, cs.investigation_start, "case"),
    Step("draft_propose", _("Draft the decision"), DraftForm, cs.draft_propose, "case"),
    Step("legal_review", _("Record legal review"), ReviewForm, cs.legal_review_record, "case"),
    Step(
        "discussion",
        _("Record collective discussion"),
        DiscussionForm,
        cs.discussion_record,
        "case",
        convert=_attendees,
    ),
    Step("notice_issue", _("Serve prior notice"), DateForm, cs.notice_issue, "case", rename={"on": "served_on"}),
    Step("statement", _("Record statement and defence"), StatementForm, cs.statement_record, "case"),
    Step("hearing_request", _("Record hearing request"), DateForm, cs.hearing_request, "case"),
    Step("hearing", _("Record hearing"), HearingForm, cs.hearing_record, "case", convert=_chair),
    Step("decide", _("Approve the decision"), DecideForm, cs.decide, "case"),
    Step("serve", _("Record service"), ServeForm, cs.serve, "case", rename={"on": "served_on"}),
    Step("close", _("Close"), DateForm, cs.close, "case"),
    Step("archive", _("Archive"), DateForm, cs.archive, "case"),
    Step("dismiss", _("Dismiss / terminate"), ReasonForm, cs.dismiss, "case"),
    Step("clock_suspend", _("Suspend the clock"), SuspendForm, cs.clock_suspend, "case", rename={"on": "starts_on"}),
    Step("clock_resume", _("Resume the clock"), DateForm, cs.clock_resume, "case", rename={"on": "ends_on"}),
    Step("decision_extend", _("Extend the decision period"), ReasonForm, cs.decision_extend, "case"),
    Step("supervise", _("Supervise or instruct (higher office)"), SuperviseForm, cs.case_supervise, "case"),
]


class RecordInline(admin.TabularInline):
    model = ProcedureRecord
    extra = 0
    fields = ("step", "on", "by", "by_office", "approved", "content")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AssignmentInline(RecordInline):
    model = Assignment  # type: ignore[assignment]
    fields = ("officer", "assigned_on", "active")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ("ref", "title", "office", "state", "filed_on", "decided_on", "decision_outcome")
    list_filter = ("state", "decision_outcome", "filed_on")
    search_fields = ("ref", "title", "parties__name", "parties__identifier")
    select_related = ("office",)
    readonly_fields = [f.name for f in Case._meta.fields] + ["parties", "campaigns"]
    inlines = [AssignmentInline, RecordInline]
    actions = step_actions(STEPS)


for model in (Assignment, Recusal, CaseViolation, ClockSuspension, ProcedureRecord, Document):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ScopedAdmin,),
            {
                "list_display": ("__str__", "case"),
                "select_related": ("case",),
            },
        ),
    )
