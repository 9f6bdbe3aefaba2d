"""``GET /api/v1/search/?q=``: the one search box for API clients, the same read as the search page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api.views import ApiMixin, problems
from docket.core.errors import FieldError, InvalidInput
from docket.search.queries import DEFAULT_LIMIT, MAX_LIMIT, TOO_SHORT, search


class CaseHitSerializer(serializers.Serializer[Any]):
    ref = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    filed_on = serializers.DateField()


class ClueHitSerializer(serializers.Serializer[Any]):
    ref = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    received_on = serializers.DateField()


class SubjectHitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    # Masked for a natural person, as everywhere.
    identifier = serializers.CharField(source="display_identifier")
    platform = serializers.CharField()


class CaseGroupSerializer(serializers.Serializer[Any]):
    rows = CaseHitSerializer(many=True)
    more = serializers.BooleanField(help_text="more cases matched than were returned")


class ClueGroupSerializer(serializers.Serializer[Any]):
    rows = ClueHitSerializer(many=True)
    more = serializers.BooleanField(help_text="more clues matched than were returned")


class SubjectGroupSerializer(serializers.Serializer[Any]):
    rows = SubjectHitSerializer(many=True)
    more = serializers.BooleanField(help_text="more subjects matched than were returned")


class SearchResultSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(help_text="the term searched for, as normalised")
    cases = CaseGroupSerializer()
    clues = ClueGroupSerializer()
    subjects = SubjectGroupSerializer()


class Search(ApiMixin):
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="a substring, Chinese or English, of two characters or more"
            ),
            OpenApiParameter("limit", int, required=False, description=f"rows per group (1-{MAX_LIMIT})"),
        ],
        responses={200: SearchResultSerializer, **problems(422)},
    )
    def get(self, request: Request) -> Response:
        """Cases (reference, title), clues (reference, summary) and subjects (name, identifier) within your
        jurisdiction that contain ``q``, the most recently recorded first; a natural person's identity number only
        typed in full."""
        q = request.query_params.get("q", "")
        limit_text = request.query_params.get("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise InvalidInput(FieldError("limit", _("A whole number from 1 to %(max)s.") % {"max": MAX_LIMIT}))
        found = search(request.user, q, limit=int(limit_text))
        if not found.q:
            raise InvalidInput(FieldError("q", _("What to search for.")))
        if found.too_short:
            raise InvalidInput(FieldError("q", str(TOO_SHORT)))
        body = {"q": found.q, **{g.kind: {"rows": g.rows, "more": g.more} for g in found.groups}}
        return Response(SearchResultSerializer(body).data)
