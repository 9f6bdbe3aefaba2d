"""Sessions end after the idle time and the absolute time; a deactivated officer's session ends at once."""

import time

import pytest

from docket.accounts.signals import LAST_SEEN_AT, SIGNED_IN_AT
from docket.accounts.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _shift(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def _ends_with_message(client, text):
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fcases%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert text in page.content.decode()
    assert client.get("/")["Location"].startswith("/login/")


def test_activity_keeps_the_session_and_idle_ends_it(client, case_officer, settings):
    sign_in(client, case_officer.username)
    _shift(client, LAST_SEEN_AT, 29 * 60)
    _shift(client, SIGNED_IN_AT, 29 * 60)
    assert client.get("/cases/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 5
    _shift(client, LAST_SEEN_AT, 31 * 60)
    _ends_with_message(client, "after 30 minutes without activity")


def test_the_idle_time_is_a_setting(client, case_officer, settings):
    settings.DOCKET_SESSION_IDLE_MINUTES = 5
    sign_in(client, case_officer.username)
    _shift(client, LAST_SEEN_AT, 6 * 60)
    _ends_with_message(client, "after 5 minutes without activity")


def test_a_session_ends_after_twelve_hours_however_active(client, case_officer):
    sign_in(client, case_officer.username)
    _shift(client, SIGNED_IN_AT, 12 * 3600 - 60)
    assert client.get("/cases/").status_code == 200
    _shift(client, SIGNED_IN_AT, 120)
    _ends_with_message(client, "at most 12 hours")


def test_a_deactivated_officer_is_refused_at_the_next_request(client, case_officer):
    sign_in(client, case_officer.username)
    assert client.get("/cases/").status_code == 200
    case_officer.is_active = False
    case_officer.save()
    _ends_with_message(client, "no longer active")


def test_sign_out_is_a_post(client, case_officer):
    sign_in(client, case_officer.username)
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
