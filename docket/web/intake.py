"""The clue intake page: source, date, summary, campaigns, subjects chosen from the registry or registered on the
spot, and the material that came with the clue, taken in by one service (``clues.intake.clue_intake``) in one
transaction. The page parses the form and resolves the subjects typed in against the registry the officer may
see; every rule (roles, dates, identifiers, file types) is the services'.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.campaigns.models import Campaign
from docket.clues.intake import NEW, Material, clue_intake, clue_intake_gate
from docket.clues.models import Source
from docket.core.answers import answer_for
from docket.core.dates import local_date
from docket.core.errors import DocketError
from docket.subjects.models import Kind, Subject
from docket.web.files import limited_uploads, oversized, show_on_form, too_large
from docket.web.views import officer_required

# Never in a value typed into the form: the C0 controls but tab and line breaks, DEL, the C1 controls, the line
# and paragraph separators, and the marks that reorder or hide text (a summary that displays as something else).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\r\n]")
# Subjects typed into the picker: one per line (a name may hold commas, a Chinese name "，").
MAX_PICKED = 100


def no_controls(value: str) -> None:
    found = _CONTROLS.search(value or "")
    if found:
        raise ValidationError(
            gettext("control character U+%(code)04X is not allowed") % {"code": ord(found.group())},
            code="control",
        )


def single_line(value: str) -> None:
    no_controls(value)
    if _LINE_BREAKS.search(value or ""):
        raise ValidationError(gettext("one line, without tabs or line breaks"), code="control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        # An assigned clue is made by the higher office's assignment, not typed in here.
        choices=[(v, label) for v, label in Source.choices if v != Source.ASSIGNMENT],
    )
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}), validators=[no_controls])
    campaigns = forms.ModelMultipleChoiceField(label=_("Campaigns"), queryset=Campaign.objects.none(), required=False)
    subjects = forms.CharField(
        label=_("Subjects from the registry"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[no_controls],
        help_text=_("One per line: an identifier (credit code, domain, app id ...), an exact name, or #id."),
    )
    new_kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices], required=False)
    new_name = forms.CharField(label=_("Name"), required=False, validators=[single_line])
    new_identifier = forms.CharField(label=_("Identifier"), required=False, validators=[single_line])
    new_platform = forms.CharField(
        label=_("Platform"),
        required=False,
        validators=[single_line],
        help_text=_("For an account, live room, store, group or mini program: the platform it is on."),
    )
    new_operator = forms.CharField(
        label=_("Operator's credit code"), required=False, validators=[single_line], help_text=_("If known.")
    )
    material = MultipleFileField(label=_("Material"), required=False)
    material_description = forms.CharField(
        label=_("Description of the material"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
        validators=[no_controls],
    )

    NEW_FIELDS = ("kind", "name", "identifier", "platform", "operator")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["campaigns"].queryset = Campaign.objects.order_by("-starts_on", "name")  # type: ignore[attr-defined]
        self.picked: list[Subject] = []

    def clean_subjects(self) -> str:
        text: str = self.cleaned_data.get("subjects", "")
        tokens = list(dict.fromkeys(t.strip() for t in text.splitlines() if t.strip()))
        if len(tokens) > MAX_PICKED:
            raise ValidationError(gettext("at most %(n)d subjects at once") % {"n": MAX_PICKED})
        self.picked = self._resolve(tokens)
        return text

    def _resolve(self, tokens: list[str]) -> list[Subject]:
        """Each token to the one subject it names in the registry the officer sees, or a problem naming it."""
        if not tokens:
            return []
        ids = [int(t[1:]) for t in tokens if t.startswith("#") and t[1:].isdigit()]
        words = [t for t in tokens if not (t.startswith("#") and t[1:].isdigit())]
        found = list(
            Subject.objects.visible_to(self.actor)
            .filter(Q(pk__in=ids) | Q(identifier__in=words + [w.upper() for w in words]) | Q(name__in=words))
            .order_by("pk")[: 10 * len(tokens)]
        )
        picked: list[Subject] = []
        problems: list[str] = []
        for token in tokens:
            if token[1:].isdigit() and token.startswith("#"):
                matches = [s for s in found if s.pk == int(token[1:])]
            else:
                matches = [s for s in found if token in (s.name, s.identifier) or token.upper() == s.identifier]
            if not matches:
                problems.append(gettext("%(token)s: not in the registry (register it below)") % {"token": token[:100]})
            elif len(matches) > 1:
                shown = "; ".join(f"#{s.pk} {s}" for s in matches[:5])
                problems.append(
                    gettext("%(token)s names several subjects (%(which)s): write the one you mean as #id")
                    % {"token": token[:100], "which": shown}
                )
            elif matches[0] not in picked:
                picked.append(matches[0])
        if problems:
            raise ValidationError(problems)
        return picked

    def new_subjects(self) -> list[dict[str, str]]:
        fields = {name: self.cleaned_data.get(NEW + name, "") or "" for name in self.NEW_FIELDS}
        if not any(fields.values()):
            return []
        return [{k: v for k, v in fields.items() if v or k in ("kind", "name", "identifier")}]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        description = data.get("material_description", "")
        return {
            "source": data["source"],
            "received_on": data["received_on"],
            "summary": data["summary"],
            "campaigns": list(data["campaigns"]),
            "subjects": list(self.picked),
            "new_subjects": self.new_subjects(),
            "material": [
                Material(
                    content=upload.read(),
                    name=upload.name or "",
                    content_type=upload.content_type or "application/octet-stream",
                    description=description,
                )
                for upload in data["material"]
            ],
        }

    def labels(self) -> dict[str, str]:
        return {name: str(f.label or name) for name, f in self.fields.items()}

    def describe(self) -> IntakeForm:
        """Tie each field to its help and its error for assistive technology (ids as ``_intake_field.html``)."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = [f"{bound.auto_id}_help"] if field.help_text else []
            if self.is_bound and self.errors.get(name):
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
        return self


@officer_required
@limited_uploads
def clue_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = local_date(timezone.now(), getattr(getattr(user, "office", None), "time_zone", None))
    context: dict[str, Any] = {"problems": [], "answer": None, "max_bytes": settings.DOCKET_EVIDENCE_MAX_BYTES}
    if request.method != "POST":
        # The service's own gate says whether this officer registers clues at all, before any form is filled in.
        try:
            clue_intake_gate(actor=user, on=today)
        except DocketError as exc:
            answer = answer_for(exc)
            context.update(problems=answer.messages(), answer=answer)
            return render(request, "web/clue_new.html", context, status=answer.status)
        context["form"] = IntakeForm(actor=user, initial={"received_on": today}).describe()
        return render(request, "web/clue_new.html", context)
    form = IntakeForm(request.POST, request.FILES, actor=user)
    refused = oversized(request)
    valid = form.is_valid()
    for name in refused:
        form.add_error("material", too_large(name))
    if refused or not valid:
        context.update(form=form.describe(), problems=[gettext("Please correct the fields marked below.")])
        return render(request, "web/clue_new.html", context, status=422)
    try:
        clue = clue_intake(actor=user, now=timezone.now(), **form.arguments())
    except DocketError as exc:
        answer = answer_for(exc, labels=form.labels())
        show_on_form(form, answer)
        context.update(form=form.describe(), problems=answer.messages(), answer=answer)
        return render(request, "web/clue_new.html", context, status=answer.status)
    messages.success(request, gettext("Clue %(ref)s registered.") % {"ref": clue.ref})
    return redirect(reverse("web-clue", args=[clue.pk]))
