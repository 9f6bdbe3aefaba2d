"""The input of each step on a measure, and of a measure recorded on its own: each type with its own fields."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from docket.campaigns.models import Campaign
from docket.clues.models import Clue
from docket.core.steps import StepForm
from docket.measures.models import Measure
from docket.measures.types import PLATFORM_ORDER_TYPES, SPECS, MeasureType
from docket.subjects.models import Kind, Subject
from docket.subjects.validators import InvalidIdentifier, normalise_domain

# Free-text details a type may carry (``MeasureSpec.details``), with their labels.
DETAIL_LABELS = {
    "reason": _("Reason"),
    "time": _("Time"),
    "place": _("Place"),
    "attendees": _("Attendees"),
    "minutes": _("Minutes"),
    "commitments": _("Commitments"),
    "follow_up": _("Follow-up"),
    "requirements": _("Requirements"),
    "functions": _("Functions suspended"),
    "stores": _("Stores"),
    "grounds": _("Grounds"),
    "action": _("Action taken"),
    "channel": _("Channel"),
}
# Details written as paragraphs rather than a line.
LONG_DETAILS = frozenset({"minutes", "commitments", "follow_up", "requirements", "grounds"})
# What an officer records on its own: not penalties (a decision imposes those), not transfers (made from
# their clue or case).
STANDALONE = [(t.value, t.label) for t in MeasureType if not SPECS[t.value].penalty and t != MeasureType.TRANSFER]
STANDALONE_TYPES = frozenset(t for t, _label in STANDALONE)


# The fields a measure carries only when its type says so (``MeasureSpec``), by form field name.
TYPE_FIELDS = frozenset(
    {"amount", "due_on", "starts_on", "ends_on", "addressee", *(f"detail_{k}" for k in DETAIL_LABELS)}
)


def type_fields(type: str) -> frozenset[str]:
    """The type-dependent fields a measure of ``type`` carries: the rest of ``TYPE_FIELDS`` is not its own, and
    a form of that type leaves them out (type first, then only that type's fields)."""
    spec = SPECS[type]
    own = {f"detail_{k}" for k in spec.details}
    if spec.amount:
        own.add("amount")
    if spec.due_date:
        own.add("due_on")
    if spec.period:
        own |= {"starts_on", "ends_on"}
    if type in PLATFORM_ORDER_TYPES:
        own.add("addressee")
    return frozenset(own)


class RegistryPicks(forms.Textarea):
    """One subject a line. A client that sends a list (the API's JSON ``[1, 2]``) gets one line per item."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if hasattr(data, "getlist"):
            values = [str(v) for v in data.getlist(name)]
            return "\n".join(values) if values else None
        value = data.get(name)
        return "\n".join(str(v) for v in value) if isinstance(value, list | tuple) else value


def _describe(subject: Subject) -> str:
    # A person's number stays masked even in an error message.
    where = f"@{subject.platform}" if subject.platform else ""
    return f"#{subject.pk} {subject.name} [{subject.get_kind_display()} {subject.display_identifier}{where}]"


def _spellings(token: str) -> set[str]:
    """How an identifier typed by a person may be stored: credit codes and identity numbers in capitals, domains
    in lower case (and in IDNA form when written in Chinese)."""
    out = {token, token.upper(), token.lower()}
    with contextlib.suppress(InvalidIdentifier):
        out.add(normalise_domain(token))
    return out


# How many tokens are looked up in one query (well below SQLite's limit on parameters).
LOOKUP_CHUNK = 400
# Unknown or ambiguous entries named in one answer; the rest are counted.
ERRORS_SHOWN = 50


def resolve_subjects(queryset: QuerySet[Subject], tokens: list[str]) -> dict[str, list[Subject]]:
    """Each token → the subjects of ``queryset`` it names: ``#id``, a bare id, ``platform:identifier``, an
    identifier or an exact name. Looked up in a few queries however many tokens there are."""
    matches: dict[str, dict[int, Subject]] = {t: {} for t in tokens}
    unique = list(matches)
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start : start + LOOKUP_CHUNK]
        ids = {int(t.lstrip("#")) for t in chunk if t.lstrip("#").isdigit() and len(t.lstrip("#")) < 19}
        idents = set().union(*(_spellings(t) for t in chunk))
        on_platform = [tuple(t.split(":", 1)) for t in chunk if ":" in t]
        idents |= {ident for _platform, ident in on_platform}
        query = Q(pk__in=ids) | Q(identifier__in=idents) | Q(name__in=chunk)
        found = list(queryset.filter(query))
        by_ident: dict[str, list[Subject]] = {}
        by_name: dict[str, list[Subject]] = {}
        for s in found:
            by_ident.setdefault(s.identifier, []).append(s)
            by_name.setdefault(s.name, []).append(s)
        by_pk = {s.pk: s for s in found}
        for t in chunk:
            hits = matches[t]
            bare = t.lstrip("#")
            if t.startswith("#"):
                # An explicit registry number names that subject and nothing else.
                if bare.isdigit() and int(bare) in by_pk:
                    hits[int(bare)] = by_pk[int(bare)]
                continue
            if bare.isdigit() and int(bare) in by_pk:
                hits[int(bare)] = by_pk[int(bare)]
            for spelling in _spellings(t):
                hits.update((s.pk, s) for s in by_ident.get(spelling, []))
            hits.update((s.pk, s) for s in by_name.get(t, []))
            if ":" in t:
                platform, ident = t.split(":", 1)
                hits.update((s.pk, s) for s in by_ident.get(ident, []) if s.platform == platform.strip().lower())
    return {t: list(found.values()) for t, found in matches.items()}


class SubjectsPicked(forms.Field):
    """Subjects picked from the registry, one a line: an identifier (credit code, domain, package id,
    ``platform:account id``), an exact name, or a registry number ``#id``. Only subjects the officer may see are
    found; each entry that names none, or more than one, is named in the error."""

    widget = RegistryPicks(attrs={"rows": 4})

    def __init__(self, *, queryset: QuerySet[Subject], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(_describe(v) if isinstance(v, Subject) else str(v) for v in value)
        return value

    @staticmethod
    def entries(text: str) -> list[list[str]]:
        """Each line as its alternatives: the whole line, or its parts split at commas and semicolons (so that
        "1, 2" still reads as two ids, while a name holding a comma is found whole)."""
        lines = []
        for raw in str(text).splitlines():
            line = raw.strip()
            if not line:
                continue
            head = line.split(None, 1)[0]
            if head.startswith("#") and head[1:].isdigit():
                # "#12 Name [Kind identifier]": the number says it all; the rest is for the reader.
                lines.append([head])
                continue
            parts = [p.strip() for p in line.replace("，", ",").replace("；", ";").replace(";", ",").split(",")]
            lines.append([line, *[p for p in parts if p and p != line]])
        return lines

    def clean(self, value: Any) -> list[Subject]:
        value = self.to_python(value)
        self.validate(value)
        entries = self.entries(value or "")
        tokens = list(dict.fromkeys(t for alts in entries for t in alts))
        found = resolve_subjects(self.queryset, tokens)
        picked: dict[int, Subject] = {}
        errors: list[ValidationError] = []
        for alts in entries:
            whole = found[alts[0]]
            parts = alts[1:]
            # The line is the entry when it names one subject, or when its parts name nothing either.
            one_line = len(whole) == 1 or not parts or not any(found[p] for p in parts)
            names = [alts[0]] if one_line else parts
            for name in names:
                hits = found[name]
                if len(hits) == 1:
                    picked.setdefault(hits[0].pk, hits[0])
                elif not hits:
                    errors.append(
                        ValidationError(
                            _("“%(entry)s” is not in the registry (or not within your jurisdiction)."),
                            code="unknown",
                            params={"entry": name},
                        )
                    )
                else:
                    errors.append(
                        ValidationError(
                            _("“%(entry)s” names %(n)d subjects: %(which)s. Write the one you mean as #id."),
                            code="ambiguous",
                            params={"entry": name, "n": len(hits), "which": "; ".join(_describe(s) for s in hits[:5])},
                        )
                    )
        if len(errors) > ERRORS_SHOWN:
            more = len(errors) - ERRORS_SHOWN
            errors = errors[:ERRORS_SHOWN] + [
                ValidationError(_("… and %(n)d more entries not found."), code="more", params={"n": more})
            ]
        if errors:
            raise ValidationError(errors)
        return list(picked.values())


class PlatformPicked(forms.Field):
    """The organisation an order goes to: its platform key (``weibo``), its credit code, its exact name or
    ``#id``."""

    widget = forms.TextInput

    def __init__(self, *, queryset: QuerySet[Subject], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value: Any) -> Any:
        return _describe(value) if isinstance(value, Subject) else value

    def clean(self, value: Any) -> Subject | None:
        value = self.to_python(value)
        self.validate(value)
        text = (value or "").strip()
        if not text:
            return None
        head = text.split(None, 1)[0]
        token = head if head.startswith("#") and head[1:].isdigit() else text
        hits = resolve_subjects(self.queryset, [token])[token]
        if not token.startswith("#"):
            hits += [s for s in self.queryset.filter(runs_platform=token.lower()) if s not in hits]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise ValidationError(
                _("“%(entry)s” is not a platform operator in the registry."), code="unknown", params={"entry": text}
            )
        raise ValidationError(
            _("“%(entry)s” names %(n)d organisations: %(which)s. Write the one you mean as #id."),
            code="ambiguous",
            params={"entry": text, "n": len(hits), "which": "; ".join(_describe(s) for s in hits[:5])},
        )


class MeasureForm(StepForm):
    obj: Measure

    @property
    def measure(self) -> Measure:
        return self.obj


class ConfirmForm(MeasureForm):
    confirmed_on = forms.DateField(label=_("Confirmed on"))
    confirmation = forms.CharField(label=_("Confirmed by"), max_length=300)


class VerifyForm(MeasureForm):
    verified_on = forms.DateField(label=_("Verified on"))
    complied = forms.TypedChoiceField(
        label=_("Result"), choices=[("1", _("Complied")), ("0", _("Not complied"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class PaymentForm(MeasureForm):
    paid_on = forms.DateField(label=_("Paid on"))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)


class ReceiptForm(MeasureForm):
    receipt_on = forms.DateField(label=_("Receipt on"))
    receipt_ref = forms.CharField(label=_("Receipt reference"), max_length=100)


class CorrectForm(MeasureForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)
    taken_on = forms.DateField(label=_("Taken on"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=0, max_value=2_000_000_000)

    def arguments(self) -> dict[str, Any]:
        return {k: v for k, v in super().arguments().items() if v is not None}


class DeleteForm(MeasureForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


# A browser's date picker, which sends and shows ISO dates.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordForm(StepForm):
    """A measure taken on its own (an interview, an order, a closure), with the fields its type carries.

    Once its type is known (the data's, or the ``initial`` one a page offers), the form holds only the fields of
    that type (``MeasureSpec``): a due date for an order to rectify, a period for a suspension, the platform
    for an account-closure order, the type's own details. Whether they are filled in as the type requires is
    the service's to say."""

    type = forms.ChoiceField(
        label=_("Measure"),
        choices=STANDALONE,
        help_text=_(
            "Penalties (warnings, fines, confiscations, licence cancellations) are imposed by a case decision."
        ),
    )
    taken_on = forms.DateField(label=_("Taken on"), widget=DATE)
    subjects = SubjectsPicked(
        label=_("Aimed at"),
        queryset=Subject.objects.none(),
        required=False,
        help_text=_(
            "One a line: a credit code, domain or package id, platform:account id (weibo:12345), an exact name, "
            "or #id from the registry."
        ),
    )
    addressee = PlatformPicked(
        label=_("Addressed to (platform operator)"),
        queryset=Subject.objects.none(),
        required=False,
        help_text=_("The platform's key (weibo), its operator's credit code or name, or #id."),
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DATE)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False, max_length=4000)
    campaigns = forms.ModelMultipleChoiceField(label=_("Campaigns"), queryset=Campaign.objects.all(), required=False)
    # The clue the measure is taken from, when a page offers one (among the clues the officer can see).
    clue = forms.ModelChoiceField(
        label=_("Clue"), queryset=Clue.objects.none(), required=False, widget=forms.HiddenInput
    )

    def setup(self) -> None:
        clue = self.fields["clue"]
        assert isinstance(clue, forms.ModelChoiceField)
        clue.queryset = Clue.objects.visible_to(self.actor)
        subjects = self.fields["subjects"]
        assert isinstance(subjects, SubjectsPicked)
        subjects.queryset = Subject.objects.visible_to(self.actor)
        addressee = self.fields["addressee"]
        assert isinstance(addressee, PlatformPicked)
        addressee.queryset = Subject.objects.visible_to(self.actor).filter(kind=Kind.ORGANISATION)
        for key, label in DETAIL_LABELS.items():
            widget = forms.Textarea(attrs={"rows": 3}) if key in LONG_DETAILS else None
            self.fields[f"detail_{key}"] = forms.CharField(label=label, required=False, max_length=4000, widget=widget)
        chosen = self.data.get("type") if self.is_bound else self.initial.get("type")
        if chosen in STANDALONE_TYPES:
            self.narrow(str(chosen))

    def narrow(self, type: str) -> None:
        """Keep the fields of this type only; the type itself is then fixed (a page offers another as a link)."""
        for name in (TYPE_FIELDS - type_fields(type)) & set(self.fields):
            del self.fields[name]
        self.fields["type"].widget = forms.HiddenInput()
        self.type_chosen = type

    type_chosen = ""

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        spec = SPECS[data["type"]]
        details = {k: data[f"detail_{k}"] for k in spec.details if data.get(f"detail_{k}")}
        return {
            "type": data["type"],
            "taken_on": data["taken_on"],
            "subjects": list(data["subjects"] or []),
            "addressee": data.get("addressee"),
            "due_on": data.get("due_on"),
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "legal_basis": data["legal_basis"],
            "clue": data.get("clue"),
            "campaigns": list(data["campaigns"]),
            "details": details,
        }

    def labels(self) -> dict[str, str]:
        # The service names the type's details together; the form shows them one by one.
        return {"details": str(_("Details")), **super().labels()}
