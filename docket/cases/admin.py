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


STEPS = [
    Step(
        "assign",
        _("Assign investigators"),
        AssignForm,
        lambda actor, obj, data, now: cs.case_assign(
            actor=actor,
            case=obj,
            on=data["on"],
            now=now,
            officers=_officers(actor, [n.strip() for n in data["usernames"].split(",") if n.strip()], "usernames"),
        ),
    ),
    Step(
        "investigation_start",
        _("Start investigation"),
        DateForm,
        lambda actor, obj, data, now: cs.investigation_start(actor=actor, case=obj, on=data["on"], now=now),
    ),
    Step(
        "draft_propose",
        _("Draft the decision"),
        DraftForm,
        lambda actor, obj, data, now: cs.draft_propose(
            actor=actor,
            case=obj,
            outcome=data["outcome"],
            facts=data["facts"],
            legal_basis=data["legal_basis"],
            discretion=data["discretion"],
            penalties=data["penalties"],
            now=now,
        ),
    ),
    Step(
        "legal_review",
        _("Record legal review"),
        ReviewForm,
        lambda actor, obj, data, now: cs.legal_review_record(
            actor=actor, case=obj, approved=data["approved"], opinion=data["opinion"], on=data["on"], now=now
        ),
    ),
    Step(
        "discussion",
        _("Record collective discussion"),
        DiscussionForm,
        lambda actor, obj, data, now: cs.discussion_record(
            actor=actor,
            case=obj,
            attendees=data["attendees"].splitlines(),
            minutes=data["minutes"],
            conclusion=data["conclusion"],
            on=data["on"],
            now=now,
        ),
    ),
    Step(
        "notice_issue",
        _("Serve prior notice"),
        DateForm,
        lambda actor, obj, data, now: cs.notice_issue(actor=actor, case=obj, served_on=data["on"], now=now),
    ),
    Step(
        "statement",
        _("Record statement and defence"),
        StatementForm,
        lambda actor, obj, data, now: cs.statement_record(
            actor=actor,
            case=obj,
            content=data["content"],
            waives_hearing=data["waives_hearing"],
            recheck=data["recheck"],
            on=data["on"],
            now=now,
        ),
    ),
    Step(
        "hearing_request",
        _("Record hearing request"),
        DateForm,
        lambda actor, obj, data, now: cs.hearing_request(actor=actor, case=obj, on=data["on"], now=now),
    ),
    Step(
        "hearing",
        _("Record hearing"),
        HearingForm,
        lambda actor, obj, data, now: cs.hearing_record(
            actor=actor,
            case=obj,
            notified_on=data["notified_on"],
            held_on=data["held_on"],
            chair=_officers(actor, [data["chair"]], "chair")[0],
            record=data["record"],
            now=now,
        ),
    ),
    Step(
        "decide",
        _("Approve the decision"),
        DecideForm,
        lambda actor, obj, data, now: cs.decide(
            actor=actor,
            case=obj,
            outcome=data["outcome"],
            legal_basis=data["legal_basis"],
            discretion=data["discretion"],
            on=data["on"],
            now=now,
        ),
    ),
    Step(
        "serve",
        _("Record service"),
        ServeForm,
        lambda actor, obj, data, now: cs.serve(
            actor=actor,
            case=obj,
            served_on=data["on"],
            method=data["method"],
            party_present=data["party_present"],
            proof=data["proof"],
            now=now,
        ),
    ),
    Step(
        "close",
        _("Close"),
        DateForm,
        lambda actor, obj, data, now: cs.close(actor=actor, case=obj, on=data["on"], now=now),
    ),
    Step(
        "archive",
        _("Archive"),
        DateForm,
        lambda actor, obj, data, now: cs.archive(actor=actor, case=obj, on=data["on"], now=now),
    ),
    Step(
        "dismiss",
        _("Dismiss / terminate"),
        ReasonForm,
        lambda actor, obj, data, now: cs.dismiss(actor=actor, case=obj, reason=data["reason"], on=data["on"], now=now),
    ),
    Step(
        "clock_suspend",
        _("Suspend the clock"),
        SuspendForm,
        lambda actor, obj, data, now: cs.clock_suspend(
            actor=actor, case=obj, reason=data["reason"], note=data["note"], starts_on=data["on"], now=now
        ),
    ),
    Step(
        "clock_resume",
        _("Resume the clock"),
        DateForm,
        lambda actor, obj, data, now: cs.clock_resume(actor=actor, case=obj, ends_on=data["on"], now=now),
    ),
    Step(
        "decision_extend",
        _("Extend the decision period"),
        ReasonForm,
        lambda actor, obj, data, now: cs.decision_extend(
            actor=actor, case=obj, reason=data["reason"], on=data["on"], now=now
        ),
    ),
    Step(
        "supervise",
        _("Supervise or instruct (higher office)"),
        SuperviseForm,
        lambda actor, obj, data, now: cs.case_supervise(
            actor=actor,
            case=obj,
            kind=data["kind"],
            instructions=data["instructions"],
            on=data["on"],
            due_on=data["due_on"],
            now=now,
        ),
    ),
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
