import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict, Denied, GateRefused, InvalidInput
from docket.core.tests.races import assert_absent, me, tally
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer, Role
from docket.platforms.services import platform_deactivate, platform_register
from docket.platforms.tests.conftest import platform


def _run(*args):
    out = io.StringIO()
    call_command("platform", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_register_prints_a_token_that_opens_the_orders_only(tree, weibo):
    lines = _run("register", "--organisation", weibo.identifier.lower(), "--username", "weibo-api")
    secret = lines[-1]
    assert secret.startswith("dkt_") and "weibo-api" in lines[0]
    client = Officer.objects.get(username="weibo-api")
    assert client.platform == weibo and client.office is None and client.role_set == {Role.PLATFORM}
    assert not client.has_usable_password()
    api = api_as(secret=secret)
    assert api.get("/api/v1/orders/").status_code == 200
    assert api.get("/api/v1/cases/").status_code == 404
    assert AuditEntry.objects.filter(action="platform.register", object_id=str(client.pk)).count() == 1


def test_register_refusals(tree, weibo):
    plain = t.organisation(name="普通公司")
    with pytest.raises(CommandError, match="runs no platform"):
        _run("register", "--organisation", plain.identifier, "--username", "x-api")
    with pytest.raises(CommandError, match="no organisation"):
        _run("register", "--organisation", "91000000000000000X", "--username", "x-api")
    _run("register", "--organisation", weibo.identifier, "--username", "weibo-api")
    with pytest.raises(CommandError, match="taken"):
        _run("register", "--organisation", weibo.identifier, "--username", "weibo-api")
    with pytest.raises(InvalidInput, match="username"):
        platform_register(actor=SYSTEM, organisation=weibo, username="has space!", now=t.NOW)
    # Nothing half-made: the refused registrations left no client behind.
    assert list(Officer.objects.filter(platform__isnull=False).values_list("username", flat=True)) == ["weibo-api"]


def test_who_registers(tree, weibo):
    national_admin = t.officer(tree.national, Role.ADMINISTRATOR)
    province_admin = t.officer(tree.zj, Role.ADMINISTRATOR)
    with pytest.raises(Denied, match="national office"):
        platform_register(actor=province_admin, organisation=weibo, username="a-api", now=t.NOW)
    with pytest.raises(Denied):
        platform_register(
            actor=t.officer(tree.national, Role.CASE_OFFICER), organisation=weibo, username="a", now=t.NOW
        )
    client = platform_register(actor=national_admin, organisation=weibo, username="a-api", now=t.NOW)
    assert client.platform_id == weibo.pk


def test_list_and_deactivate(tree, weibo, douyin):
    secret = _run("register", "--organisation", weibo.identifier, "--username", "weibo-api")[-1]
    _run("register", "--organisation", douyin.identifier, "--username", "douyin-api")
    listed = _run("list")
    assert [line.split("\t")[0] for line in listed] == ["douyin-api", "weibo-api"]
    assert api_as(secret=secret).get("/api/v1/orders/").status_code == 200
    _run("deactivate", "--username", "weibo-api")
    # Its token stops working at once.
    assert api_as(secret=secret).get("/api/v1/orders/").status_code == 401
    assert [line.split("\t")[0] for line in _run("list")] == ["douyin-api"]
    assert "deactivated" in [line for line in _run("list", "--all") if line.startswith("weibo")][0]
    with pytest.raises(CommandError, match="already"):
        _run("deactivate", "--username", "weibo-api")
    with pytest.raises(CommandError, match="no platform client"):
        _run("deactivate", "--username", "nobody")


@pytest.mark.jurisdiction("platform_deactivate")
def test_a_province_does_not_see_platform_clients(tree, weibo):
    client = platform_register(actor=SYSTEM, organisation=weibo, username="weibo-api", now=t.NOW)
    assert_absent(
        lambda: platform_deactivate(actor=t.officer(tree.zj, Role.ADMINISTRATOR), officer=client, now=t.NOW), client
    )
    with pytest.raises(Denied):
        platform_deactivate(actor=t.officer(tree.national, Role.CASE_OFFICER), officer=client, now=t.NOW)
    platform_deactivate(actor=t.officer(tree.national, Role.ADMINISTRATOR), officer=client, now=t.NOW)
    assert not Officer.objects.get(pk=client.pk).is_active


def test_an_officer_is_not_a_platform_client(tree, team):
    with pytest.raises(Exception, match="platform client"):
        platform_deactivate(actor=SYSTEM, officer=team.a, now=timezone.now())
    assert Officer.objects.get(pk=team.a.pk).is_active
    with pytest.raises(GateRefused):
        platform_register(actor=SYSTEM, organisation=t.website("x.example.cn"), username="x", now=t.NOW)


race_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")


@pytest.mark.race("platform_register")
@race_db
@postgres_only
def test_one_registration_of_a_name_lands(tree):
    org = platform("快手", "kuaishou")
    results = t.race(lambda i: platform_register(actor=SYSTEM, organisation=org, username="ks-api", now=t.NOW))
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == t.RACERS - 1
    assert all(isinstance(r, Conflict) for r in refused)
    assert Officer.objects.filter(username="ks-api").count() == 1


@pytest.mark.race("platform_deactivate")
@race_db
@postgres_only
def test_one_deactivation_lands(tree):
    org = platform("快手", "kuaishou")
    client = platform_register(actor=SYSTEM, organisation=org, username="ks-api", now=t.NOW)
    results = t.race(lambda i: platform_deactivate(actor=SYSTEM, officer=me(client), now=t.NOW))
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == t.RACERS - 1
    assert AuditEntry.objects.filter(action="platform.deactivate").count() == 1
