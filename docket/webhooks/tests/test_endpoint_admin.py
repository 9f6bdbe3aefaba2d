"""Administrators manage platforms' webhook endpoints: in the admin (the secret shown once), with `docket webhook`,
and through the services (disabling included), checked and audited as the platform's own API is."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict, Denied, InvalidInput, NotFound
from docket.officers.actors import SYSTEM
from docket.officers.models import Role
from docket.subjects.models import Subject
from docket.webhooks.models import WebhookEndpoint
from docket.webhooks.services import webhook_endpoint_disable, webhook_endpoint_set
from docket.webhooks.tests.conftest import platform, platform_client

NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def https_only(settings):
    settings.DOCKET_WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = False


# --- the URL ------------------------------------------------------------------------------------------------------


def test_plain_http_only_to_this_machine_by_an_administrator_or_in_debug(tree, https_only, settings):
    org = platform()
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    for url in ("http://localhost:8080/in", "http://127.0.0.1/in", "http://[::1]:9000/in"):
        assert webhook_endpoint_set(actor=admin, platform=org, url=url, now=NOW).endpoint.url == url
        assert webhook_endpoint_set(actor=SYSTEM, platform=org, url=url, now=NOW).endpoint.url == url
    for url in ("http://hooks.example.com/in", "http://10.0.0.8/in", "http://localhost.example.com/in"):
        with pytest.raises(InvalidInput) as info:
            webhook_endpoint_set(actor=SYSTEM, platform=org, url=url, now=NOW)
        assert [(e.field, e.message) for e in info.value.errors] == [("url", "The URL must start with https://.")]
    # A platform's own client may not point Docket's pushes at Docket's own host over plain HTTP.
    with pytest.raises(InvalidInput):
        webhook_endpoint_set(actor=platform_client(org), platform=org, url="http://localhost:8080/in", now=NOW)
    settings.DEBUG = True
    made = webhook_endpoint_set(actor=platform_client(org), platform=org, url="http://hooks.example.com/in", now=NOW)
    assert made.endpoint.url == "http://hooks.example.com/in"


# --- the services -------------------------------------------------------------------------------------------------


def test_disabling_stops_the_pushes_and_setting_again_resumes_them(db):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://hooks.example.com/in", now=NOW)
    endpoint = webhook_endpoint_disable(actor=platform_client(org), platform=org, now=NOW + dt.timedelta(hours=1))
    assert not endpoint.active and not WebhookEndpoint.objects.get().active
    entry = AuditEntry.objects.get(action="webhook_endpoint.disable")
    assert entry.detail["platform"] == org.pk and "whsec_" not in str(entry.detail).replace(endpoint.secret_prefix, "")
    with pytest.raises(Conflict):
        webhook_endpoint_disable(actor=SYSTEM, platform=org, now=NOW)
    again = webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://hooks.example.com/in", now=NOW)
    assert again.endpoint.active
    with pytest.raises(NotFound):
        webhook_endpoint_disable(actor=SYSTEM, platform=platform("douyin"), now=NOW)


def test_only_the_national_offices_administrators_manage_endpoints(tree):
    org = platform()
    webhook_endpoint_set(
        actor=t.officer(tree.national, Role.ADMINISTRATOR), platform=org, url="https://a.example/", now=NOW
    )
    with pytest.raises(Denied):
        webhook_endpoint_disable(actor=t.officer(tree.national, Role.CASE_OFFICER), platform=org, now=NOW)
    assert WebhookEndpoint.objects.get().active


@pytest.mark.jurisdiction("webhook_endpoint_disable")
def test_a_provincial_administrator_or_another_platform_finds_no_endpoint(tree):
    mine, theirs = platform("weibo"), platform("douyin")
    webhook_endpoint_set(actor=SYSTEM, platform=theirs, url="https://theirs.example/", now=NOW)
    for actor in (platform_client(mine), t.officer(tree.zj, Role.ADMINISTRATOR)):
        with pytest.raises(NotFound):
            webhook_endpoint_disable(actor=actor, platform=theirs, now=NOW)
        with pytest.raises(NotFound):
            webhook_endpoint_set(actor=actor, platform=theirs, url="https://mine.example/", now=NOW)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.active and endpoint.url == "https://theirs.example/"
    assert AuditEntry.objects.filter(action="webhook_endpoint_disable", outcome="denied").count() == 2


@pytest.mark.race("webhook_endpoint_disable")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_disablings_of_one_endpoint_disable_it_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    org_pk = platform().pk
    webhook_endpoint_set(actor=SYSTEM, platform=Subject.objects.get(pk=org_pk), url="https://h.example/", now=NOW)
    results = t.race(lambda i: webhook_endpoint_disable(actor=SYSTEM, platform=Subject.objects.get(pk=org_pk), now=NOW))
    done = [r for r in results if isinstance(r, WebhookEndpoint)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(done) == 1 and len(refused) == 19, results
    assert AuditEntry.objects.filter(action="webhook_endpoint.disable").count() == 1
    assert not WebhookEndpoint.objects.get().active


# --- the command --------------------------------------------------------------------------------------------------


def _run(*args):
    out = StringIO()
    call_command("webhook", *args, stdout=out)
    return out.getvalue()


def test_the_command_sets_by_username_or_credit_code_and_prints_the_secret_last(db, https_only):
    org = platform()
    client = platform_client(org)
    out = _run("set", "--platform", client.username, "--url", "https://hooks.example.com/in")
    secret = out.strip().splitlines()[-1]
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret and endpoint.platform == org
    out = _run("set", "--platform", org.identifier.lower(), "--url", "http://localhost:9000/in")
    assert out.strip().splitlines()[-1] == WebhookEndpoint.objects.get().secret != secret
    listed = _run("list")
    assert "http://localhost:9000/in" in listed and "active" in listed and "whsec_" in listed
    assert WebhookEndpoint.objects.get().secret not in listed
    assert "disabled" in _run("disable", "--platform", org.identifier)
    assert "disabled" in _run("list")
    assert AuditEntry.objects.filter(action__startswith="webhook_endpoint.").count() == 3


def test_the_command_refuses_in_plain_words(db, https_only):
    org = platform()
    with pytest.raises(CommandError, match="must start with https://"):
        _run("set", "--platform", org.identifier, "--url", "http://hooks.example.com/in")
    with pytest.raises(CommandError, match="no platform client username or organisation"):
        _run("set", "--platform", "nobody", "--url", "https://hooks.example.com/in")
    with pytest.raises(CommandError, match="runs no platform"):
        _run("set", "--platform", t.organisation().identifier, "--url", "https://hooks.example.com/in")
    with pytest.raises(CommandError, match="No webhook endpoint"):
        _run("disable", "--platform", org.identifier)
    assert not WebhookEndpoint.objects.exists()


# --- the admin ----------------------------------------------------------------------------------------------------


def _signed_in(client, officer):
    t.verified_login(client, officer)
    return client


ADD = "/admin/webhooks/webhookendpoint/add/"
LIST = "/admin/webhooks/webhookendpoint/"


def test_the_admin_registers_an_endpoint_and_shows_the_secret_once(client, tree, https_only):
    org = platform()
    admin = _signed_in(client, t.officer(tree.national, Role.ADMINISTRATOR))
    assert admin.get(ADD).status_code == 200
    bad = admin.post(ADD, {"platform": org.pk, "url": "http://hooks.example.com/in"})
    assert bad.status_code == 200 and "The URL must start with https://." in bad.content.decode()
    assert not WebhookEndpoint.objects.exists()
    made = admin.post(ADD, {"platform": org.pk, "url": "https://hooks.example.com/in"})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in made.content.decode()
    assert AuditEntry.objects.get(action="webhook_endpoint.set").actor_id is not None
    # Never again: not in the list, not on the endpoint's own page.
    listed = admin.get(LIST)
    shown = admin.get(f"{LIST}{endpoint.pk}/change/")
    assert listed.status_code == 200 and shown.status_code == 200
    for page in (listed, shown):
        html = page.content.decode()
        assert endpoint.secret not in html and endpoint.secret_prefix in html
    # A second registration moves it, with a new secret.
    again = admin.post(ADD, {"platform": org.pk, "url": "https://hooks2.example.com/in"})
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks2.example.com/in" and endpoint.secret in again.content.decode()


def test_the_admin_disables_endpoints_by_action(client, tree):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://hooks.example.com/in", now=NOW)
    endpoint = WebhookEndpoint.objects.get()
    admin = _signed_in(client, t.officer(tree.national, Role.ADMINISTRATOR))
    answer = admin.post(LIST, {"action": "disable", "_selected_action": [endpoint.pk]})
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active and AuditEntry.objects.filter(action="webhook_endpoint.disable").count() == 1


def test_the_endpoints_are_not_for_other_officers(client, tree):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://hooks.example.com/in", now=NOW)
    for officer in (t.officer(tree.zj, Role.ADMINISTRATOR), t.officer(tree.national, Role.CASE_OFFICER)):
        client.logout()
        signed = _signed_in(client, officer)
        assert signed.get(LIST).status_code in (302, 403)
        assert signed.post(ADD, {"platform": org.pk, "url": "https://evil.example/"}).status_code in (302, 403)
    assert WebhookEndpoint.objects.get().url == "https://hooks.example.com/in"
