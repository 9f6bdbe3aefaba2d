"""A file of evidence is handed out only through evidence_read (the workspace's download; the admin is the
administrators', not the investigators'): in the jurisdiction, verified, audited."""

import os

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.cases.models import State
from docket.evidence import storage
from docket.evidence.services import evidence_add
from docket.evidence.tests import samples
from docket.officers.models import Role

NOW = t.NOW


@pytest.fixture
def item(team):
    case = t.drive(team, to=State.INVESTIGATING)
    return evidence_add(
        actor=team.a,
        case=case,
        content=samples.png(),
        name="首页 截图.png",
        content_type="image/png",
        collected_on=case.filed_on,
        collectors=[team.a, team.b],
        method="远程勘验",
        description="",
        now=NOW,
    )


def _download(client, officer, item):
    client.force_login(officer)
    return client.get(f"/evidence/{item.pk}/download/", HTTP_ACCEPT_LANGUAGE="en")


def test_download_is_verified_typed_and_audited(client, team, item):
    client.force_login(team.b)
    page = client.get(f"/cases/{item.case.ref}/")
    assert f"/evidence/{item.pk}/download/" in page.content.decode()
    # The admin's download is not the investigator's way: it sends them to the workspace, reading nothing.
    assert client.get(f"/admin/evidence/evidenceitem/{item.pk}/download/")["Location"] == "/"
    assert not AuditEntry.objects.filter(action="evidence.read").exists()
    response = _download(client, team.b, item)
    assert response.status_code == 200 and response.content == samples.png()
    assert response["Content-Type"] == "image/png"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "%E9%A6%96%E9%A1%B5" in response["Content-Disposition"]
    )
    read = AuditEntry.objects.filter(action="evidence.read").get()
    assert (read.actor_id, read.outcome) == (team.b.pk, Outcome.OK)


def test_download_outside_the_jurisdiction_is_404_and_audited(client, tree, item):
    outsider = t.officer(tree.nb, Role.CASE_OFFICER)
    assert _download(client, outsider, item).status_code == 404
    assert AuditEntry.objects.filter(actor_id=outsider.pk, outcome=Outcome.DENIED).count() == 1
    assert not AuditEntry.objects.filter(action="evidence.read").exists()


def test_a_corrupt_file_is_not_handed_out(client, team, item):
    path = storage._path(item.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"forged")
    response = _download(client, team.a, item)
    assert response.status_code == 400 and b"forged" not in response.content
    read = AuditEntry.objects.filter(action="evidence.read").get()
    assert read.outcome == Outcome.FAILED
