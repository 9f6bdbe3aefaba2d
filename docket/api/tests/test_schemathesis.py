"""Schemathesis over the whole OpenAPI schema of /api/schema/, in-process (WSGI), on the test database.

Every operation of the schema is called with data generated from its description, valid (positive) and invalid
(negative, and the coverage phase's boundary values), with an officer's token (and, for the platform channel's
and the DSA statements' operations, a platform client's token in a second run). The checks:

- ``not_a_server_error``: no 5xx, whatever the input;
- ``status_code_conformance``: every status answered is documented;
- ``response_schema_conformance`` (and ``content_type_conformance``): every answer has the documented shape;
- ``ignored_auth``: the same request without the token is refused (401), so no operation is open;
- ``negative_data_rejection``: input the schema calls invalid is refused (4xx).

Bounded in time: at most ``MAX_EXAMPLES`` generated cases per operation and phase, derandomized (the same cases
each run, so a failure is reproducible and the suite's time stable), no example database, no shrinking.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis import checks as sc

from docket import testing as t
from docket.api.tests.conftest import secret_for
from docket.cases.models import State
from docket.officers.models import Role

MAX_EXAMPLES = 8
BIG_BODY_EXAMPLES = 25

CHECKS = [
    sc.not_a_server_error,
    sc.status_code_conformance,
    sc.content_type_conformance,
    sc.response_schema_conformance,
    sc.ignored_auth,
    sc.negative_data_rejection,
]

# The platform channel's operations: an officer finds nothing there, so they are fuzzed with a platform's token.
PLATFORM_PATHS = r"^/api/v1/(orders/|statement)"


def _config(secret: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
            },
            "phases": {"stateful": {"enabled": False}},
            "suppress-health-check": ["all"],
            "operations": [
                {
                    # A statement of reasons has 36 fields: the coverage phase alone would send ~700 bodies per
                    # operation. Fuzzing with more examples (valid and invalid) keeps them in the time bound.
                    "include-operation-id": ["statement_store", "statements_store"],
                    "phases": {"coverage": {"enabled": False}},
                    "generation": {"max-examples": BIG_BODY_EXAMPLES},
                }
            ],
        }
    )


def _load(secret: str) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=_config(secret))


@pytest.fixture
def officer_schema(tree, team, settings):
    # Generous limits: the run makes thousands of requests with one token inside a minute.
    settings.DOCKET_API_RATE_TOKEN = settings.DOCKET_API_RATE_ADDRESS = "1000000/min"
    t.drive(team, to=State.DECIDED)
    officer = t.officer(tree.hz, Role.CASE_OFFICER, Role.OFFICE_HEAD, Role.INSPECTOR)
    return _load(secret_for(officer))


@pytest.fixture
def platform_schema(tree, team, settings):
    settings.DOCKET_API_RATE_TOKEN = settings.DOCKET_API_RATE_ADDRESS = "1000000/min"
    org = t.organisation()
    org.runs_platform = "weibo"
    org.save(update_fields=["runs_platform"])
    client = t.officer(None, Role.PLATFORM, platform=org, certified=False)
    return _load(secret_for(client))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's WSGI handler closes the database connection after each request; the test's transaction lives on
    # that connection (Django's own test client unhooks the same signal for the same reason).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # Schemathesis (4.32) renames each operation's subtest through ``node._nodeid``, which pytest 9 no longer
    # sets: give it the node's id to start from.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


officer_api = schemathesis.pytest.from_fixture("officer_schema").exclude(path_regex=PLATFORM_PATHS)
platform_api = schemathesis.pytest.from_fixture("platform_schema").include(path_regex=PLATFORM_PATHS)


@officer_api.parametrize()
def test_the_officers_api_keeps_its_schema(case):
    case.call_and_validate(checks=CHECKS)


@platform_api.parametrize()
def test_the_platform_channel_keeps_its_schema(case):
    case.call_and_validate(checks=CHECKS)
