"""The platform sets and reads its endpoint with its own token (/api/v1/webhook/)."""

from docket import testing as t
from docket.api.tests.conftest import _fresh_limits, api_as  # noqa: F401 - the API tests' fixture, autouse
from docket.officers.models import Role
from docket.webhooks.models import WebhookEndpoint
from docket.webhooks.tests.conftest import platform, platform_client


def test_the_platform_sets_its_endpoint_and_reads_it_without_the_secret(db):
    org = platform()
    api = api_as(platform_client(org))
    assert api.get("/api/v1/webhook/").status_code == 404
    made = api.post("/api/v1/webhook/", {"url": "https://hooks.example.com/docket"}, format="json")
    assert made.status_code == 200, made.content
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and WebhookEndpoint.objects.get(platform=org).secret == secret
    shown = api.get("/api/v1/webhook/")
    assert shown.status_code == 200 and shown.json()["url"] == "https://hooks.example.com/docket"
    assert secret not in shown.content.decode() and shown.json()["secret_prefix"] == secret[:12]


def test_a_bad_url_names_the_field(db, settings):
    settings.DOCKET_WEBHOOKS_ALLOW_HTTP = False
    api = api_as(platform_client(platform()))
    for body in ({"url": "http://hooks.example.com/"}, {}, {"url": 5}):
        answer = api.post("/api/v1/webhook/", body, format="json")
        assert answer.status_code == 422, answer.content
        assert [e["field"] for e in answer.json()["errors"]] == ["url"]
    assert not WebhookEndpoint.objects.exists()


def test_only_a_platform_has_an_endpoint(tree):
    officer = api_as(t.officer(tree.hz, Role.CASE_OFFICER))
    assert officer.get("/api/v1/webhook/").status_code == 404
    assert officer.post("/api/v1/webhook/", {"url": "https://x.example/"}, format="json").status_code == 404
    assert not WebhookEndpoint.objects.exists()
