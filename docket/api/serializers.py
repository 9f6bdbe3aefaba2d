"""What the API shows of each object: read-only views of the core's records (identity numbers masked)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from docket.audit.models import AuditEntry
from docket.cases.models import Case
from docket.clues.models import Clue
from docket.measures.models import Measure
from docket.offices.models import Office
from docket.subjects.models import Subject


class OfficeSerializer(serializers.ModelSerializer[Office]):
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )  # type: ignore[assignment]

    class Meta:
        model = Office
        fields = ["id", "code", "name", "name_en", "level", "parent", "time_zone", "active"]


class SubjectSerializer(serializers.ModelSerializer[Subject]):
    # A natural person's identity number is masked here as on every page; the full number is a separate,
    # audited read for holders of the personal-data role.
    identifier = serializers.CharField(source="display_identifier", read_only=True)

    class Meta:
        model = Subject
        fields = ["id", "kind", "name", "identifier", "platform", "runs_platform", "created_at"]


class PartySerializer(serializers.ModelSerializer[Subject]):
    identifier = serializers.CharField(source="display_identifier", read_only=True)

    class Meta:
        model = Subject
        fields = ["id", "kind", "name", "identifier"]


class StepSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


def steps_of(available: list[Any]) -> list[dict[str, Any]]:
    return [
        {"action": a.step.name, "label": str(a.step.label), "allowed": a.allowed, "reason": a.reason} for a in available
    ]


class CaseSerializer(serializers.ModelSerializer[Case]):
    office: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "ref",
            "title",
            "office",
            "state",
            "version",
            "filed_on",
            "due_on",
            "parties",
            "decision_outcome",
            "decided_on",
            "closed_on",
        ]


class CaseDetailSerializer(CaseSerializer):
    steps = StepSerializer(many=True, read_only=True, source="api_steps")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "steps"]


class ClueSerializer(serializers.ModelSerializer[Clue]):
    office: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subjects = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Clue
        fields = [
            "id",
            "ref",
            "office",
            "source",
            "received_on",
            "summary",
            "status",
            "due_on",
            "outcome_on",
            "subjects",
        ]


class ClueDetailSerializer(ClueSerializer):
    steps = StepSerializer(many=True, read_only=True, source="api_steps")

    class Meta(ClueSerializer.Meta):
        fields = [*ClueSerializer.Meta.fields, "steps"]


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    office: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="ref", read_only=True, allow_null=True
    )
    clue: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="ref", read_only=True, allow_null=True
    )
    subjects = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "office",
            "type",
            "taken_on",
            "case",
            "clue",
            "subjects",
            "amount",
            "quantity",
            "due_on",
            "starts_on",
            "ends_on",
            "confirmed_on",
            "verified_on",
            "verification",
        ]


class MeasureDetailSerializer(MeasureSerializer):
    steps = StepSerializer(many=True, read_only=True, source="api_steps")

    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "steps"]


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = ["seq", "at", "actor_name", "office_code", "action", "outcome", "detail", "hash"]


class FieldProblemSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    message = serializers.CharField()
    row = serializers.IntegerField(required=False, help_text="the item's position (from 1) in a list")


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details, sent as application/problem+json."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldProblemSerializer(many=True, required=False)  # type: ignore[assignment]
