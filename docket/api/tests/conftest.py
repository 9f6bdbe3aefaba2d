import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from docket.api.services import token_create
from docket.api.throttles import throttle_store
from docket.officers.actors import SYSTEM


@pytest.fixture(autouse=True)
def _fresh_limits():
    # Each test counts its own requests.
    throttle_store().clear()
    yield
    throttle_store().clear()


_made = itertools.count(1)


def secret_for(officer, name=None, days=30):
    name = name or f"test-{next(_made)}"
    return token_create(actor=SYSTEM, officer=officer, name=name, days=days, now=timezone.now()).secret


def api_as(officer=None, secret=None):
    # The API answers in the language asked for; the assertions read English.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if officer is not None or secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret or secret_for(officer)}")
    return client
