"""The platform's own webhook endpoint, set and read with its API token (``/api/v1/webhook/``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api.views import ApiMixin, problems
from docket.core.errors import FieldError, InvalidInput, NotFound
from docket.platforms.permissions import PlatformClientsOnly
from docket.subjects.models import Subject
from docket.webhooks.models import WebhookEndpoint
from docket.webhooks.services import webhook_endpoint_set


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret_prefix", "active", "created_at", "updated_at"]


class WebhookEndpointSetSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(help_text="https:// URL that receives the signed pushes")


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="the signing secret: shown this once, keep it")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


def _platform(request: Request) -> Subject:
    platform = getattr(request.user, "platform", None)
    if platform is None:
        # Only a platform's API client has an endpoint; for any other token the path holds nothing.
        raise NotFound(_("Not found."))
    return platform  # type: ignore[no-any-return]


class WebhookEndpointView(ApiMixin):
    # The platform channel's: an officer's token finds nothing here, as a platform's finds nothing elsewhere.
    permission_classes = [IsAuthenticated, PlatformClientsOnly]
    pagination_class = None
    parser_classes = [JSONParser]

    @extend_schema(responses={200: WebhookEndpointSerializer, **problems(404)})
    def get(self, request: Request) -> Response:
        """Your platform's endpoint (never its secret: only the prefix, to tell which secret is in use)."""
        endpoint = WebhookEndpoint.objects.filter(platform=_platform(request)).first()
        if endpoint is None:
            raise NotFound(_("No webhook endpoint is set."))
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        request=WebhookEndpointSetSerializer,
        responses={200: WebhookEndpointCreatedSerializer, **problems(403, 404, 409, 422)},
    )
    def post(self, request: Request) -> Response:
        """Set your platform's endpoint: orders addressed to it are pushed there, signed with the secret in the
        answer (a new secret each time; the old one stops signing at once)."""
        platform = _platform(request)
        url = request.data.get("url") if isinstance(request.data, dict) else None
        if not isinstance(url, str):
            raise InvalidInput(FieldError("url", _("Give the URL the orders are pushed to.")))
        actor: Any = request.user
        new = webhook_endpoint_set(actor=actor, platform=platform, url=url, now=timezone.now())
        data = WebhookEndpointSerializer(new.endpoint).data
        return Response({**data, "secret": new.secret})
