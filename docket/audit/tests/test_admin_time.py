"""The audit list shows times in the reader's zone, and does not call them UTC."""

import datetime as dt

from docket import testing as t
from docket.audit.services import audit_record
from docket.officers.models import Role


def test_audit_list_labels_the_local_time_it_shows(tree, client):
    # The audit trail is read in the admin by administrators (the admin is theirs alone).
    administrator = t.officer(tree.hz, Role.ADMINISTRATOR)
    audit_record(actor=administrator, action="probe", now=dt.datetime(2024, 1, 1, 0, 30, tzinfo=dt.UTC))
    t.verified_login(client, administrator)
    page = client.get("/admin/audit/auditentry/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "probe" in page
    assert "UTC" not in page
    # 00:30 UTC is 08:30 in Beijing, the zone the list is shown in.
    assert "8:30 a.m." in page
