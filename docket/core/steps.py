"""The registry of procedure steps that every interface reads: the admin now, the pages and the API next.

A step is a name (for a case, the action of ``cases.transitions``), the roles that may take it, a form for its
input, the gate that says whether it may be taken now, and the one service it calls. The gate is the service's
own check (the service calls the same function first), so asking it never disagrees with doing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from docket.core.errors import CalendarMissing, Conflict, Denied, GateRefused, NotFound

# What a gate may answer with: the step is not possible, and why.
REFUSALS = (Denied, GateRefused, NotFound, CalendarMissing)


class StepForm(forms.Form):
    """A step's input. It knows the object it acts on (for its choices) and the version the user saw."""

    # Stale forms: the version of the object when the form was shown; a change since is a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Form fields whose service argument has another name.
    rename: dict[str, str] = {}

    def __init__(self, *args: Any, obj: Any, actor: Any, on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obj, self.actor, self.today = obj, actor, on
        if getattr(obj, "version", None) is not None:
            self.fields["version"].initial = obj.version
        self.setup()

    def setup(self) -> None:
        """Hook for choices that depend on the object (its office's officers, its parties, ...)."""

    def arguments(self) -> dict[str, Any]:
        """The service's keyword arguments (besides actor, now and the object itself)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {self.rename.get(k, k): v for k, v in data.items()}

    def labels(self) -> dict[str, str]:
        """Service argument → the label the user saw, for error messages."""
        out = {name: str(f.label or name) for name, f in self.fields.items()}
        out.update({arg: out[name] for name, arg in self.rename.items() if name in out})
        return out


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    roles: frozenset[str]
    form: type[StepForm]
    service: Callable[..., Any]
    gate: Callable[..., Any]
    # The service's argument that receives the object the step acts on ("" for a step that makes a new one).
    target: str
    # Arguments fixed by the step (legal review approve/return share one service).
    fixed: dict[str, Any] = field(default_factory=dict)
    # States of the object in which the step exists at all (None: every state).
    states: frozenset[str] | None = None

    def make_form(self, *, obj: Any, actor: Any, on: dt.date, data: Any = None, files: Any = None) -> StepForm:
        return self.form(data, files, obj=obj, actor=actor, on=on, prefix=None)

    def check(self, *, obj: Any, actor: Any, on: dt.date) -> None:
        """Raise the gate's own refusal if the step is not possible now."""
        self.gate(actor=actor, on=on, **({self.target: obj} if self.target else {}))

    def run(self, *, obj: Any, actor: Any, form: StepForm, now: dt.datetime) -> Any:
        """Call the service with the form's input. The form must be valid."""
        seen = form.cleaned_data.get("version")
        current = getattr(obj, "version", None)
        if seen is not None and current is not None and seen != current:
            raise Conflict(_("This was changed by someone else after you opened the form; reload it and try again."))
        target = {self.target: obj} if self.target else {}
        return self.service(actor=actor, now=now, **target, **self.fixed, **form.arguments())


@dataclass(frozen=True)
class Available:
    step: Step
    allowed: bool
    reason: str = ""


def available(steps: Iterable[Step], *, obj: Any, actor: Any, on: dt.date, state: str | None) -> list[Available]:
    """Every step that exists in ``state``, each allowed or refused with its gate's own reason."""
    out = []
    for step in steps:
        if step.states is not None and state not in step.states:
            continue
        try:
            step.check(obj=obj, actor=actor, on=on)
        except REFUSALS as exc:
            out.append(Available(step, allowed=False, reason=str(exc)))
        else:
            out.append(Available(step, allowed=True))
    return out
