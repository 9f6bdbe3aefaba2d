import datetime as dt
import random
import uuid

import pytest

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.api.throttles import throttle_store
from docket.officers.models import Role
from docket.statements import rules


@pytest.fixture(autouse=True)
def _fresh_limits():
    throttle_store().clear()
    yield
    throttle_store().clear()


def platform_client(name="weibo"):
    """A platform operator and its API client (an officer of no office holding the platform role)."""
    org = t.organisation()
    org.runs_platform = name
    org.save(update_fields=["runs_platform"])
    return t.officer(None, Role.PLATFORM, platform=org, certified=False)


@pytest.fixture
def platform(db):
    return platform_client()


@pytest.fixture
def api(platform):
    return api_as(platform)


# The Transparency Database's tests' ``$this->required_fields`` (StatementAPIControllerTest::setUp).
REQUIRED = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED"],
    "decision_monetary": None,
    "decision_provision": None,
    "decision_account": None,
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "category": "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "illegal_content_legal_ground": "foo",
    "illegal_content_explanation": "bar",
    "puid": "TK421",
    "territorial_scope": ["BE", "DE", "FR"],
    "source_type": "SOURCE_ARTICLE_16",
    "source_identity": "foo",
    "decision_facts": "decision and facts",
    "content_type": ["CONTENT_TYPE_SYNTHETIC_MEDIA"],
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
    "application_date": "2023-05-18",
    "content_date": "2023-05-18",
}

EU_LANGUAGES = [
    "EN",
    "BG",
    "HR",
    "CS",
    "DA",
    "NL",
    "ET",
    "FI",
    "FR",
    "DE",
    "EL",
    "HU",
    "GA",
    "IT",
    "LV",
    "LT",
    "MT",
    "PL",
    "PT",
    "RO",
    "SK",
    "SL",
    "ES",
    "SV",
]


def required(**changes):
    return {**REQUIRED, **changes}


def full_statements(count=5, seed=1):
    """``createFullStatements``: what the Transparency Database's StatementFactory makes (every field filled,
    two of each list), as its tests send it (``toArray()``: dates as Y-m-d, uuid and created_at included)."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        day = rnd.randint(0, 700)
        created = dt.date(2024, 6, 1) - dt.timedelta(days=day)
        ground = rnd.choice(rules.keys("decision_grounds"))
        text = lambda n: "".join(rnd.choice("abcdefghij klmnop.") for _ in range(n)).strip() or "x"  # noqa: E731
        out.append(
            {
                "decision_visibility": rnd.sample(rules.keys("decision_visibilities"), 2),
                "decision_visibility_other": text(100),
                "decision_monetary": rnd.choice(rules.keys("decision_monetaries")),
                "decision_monetary_other": text(100),
                "decision_provision": rnd.choice(rules.keys("decision_provisions")),
                "decision_account": rnd.choice(rules.keys("decision_accounts")),
                "account_type": rnd.choice(rules.keys("account_types")),
                "decision_ground": ground,
                "decision_ground_reference_url": f"https://www.example{rnd.randint(1, 99)}.com/terms",
                "content_type": rnd.sample(rules.keys("content_types"), 2),
                "content_type_other": text(100),
                "category": rnd.choice(rules.keys("categories")),
                "category_addition": rnd.sample(rules.keys("categories"), 2),
                "category_specification": rnd.sample(rules.keys("keywords"), 2),
                "category_specification_other": text(8),
                "illegal_content_legal_ground": text(100) if ground == "DECISION_GROUND_ILLEGAL_CONTENT" else None,
                "illegal_content_explanation": text(500) if ground == "DECISION_GROUND_ILLEGAL_CONTENT" else None,
                "incompatible_content_ground": text(100) if ground != "DECISION_GROUND_ILLEGAL_CONTENT" else None,
                "incompatible_content_explanation": text(500) if ground != "DECISION_GROUND_ILLEGAL_CONTENT" else None,
                "incompatible_content_illegal": rnd.choice(["Yes", "No"]),
                "puid": str(uuid.UUID(int=rnd.getrandbits(128))),
                "uuid": str(uuid.UUID(int=rnd.getrandbits(128))),
                "territorial_scope": rnd.sample(rules.keys("territorial_scope"), 2),
                "content_language": rnd.choice(EU_LANGUAGES),
                "content_date": str(created - dt.timedelta(days=5)),
                "application_date": str(created - dt.timedelta(days=4)),
                "end_date_account_restriction": str(created + dt.timedelta(days=33)),
                "end_date_monetary_restriction": str(created + dt.timedelta(days=44)),
                "end_date_service_restriction": str(created + dt.timedelta(days=55)),
                "end_date_visibility_restriction": str(created + dt.timedelta(days=66)),
                "source_type": rnd.choice(rules.keys("source_types")),
                "source_identity": text(100),
                "decision_facts": text(1000),
                "automated_detection": rnd.choice(["Yes", "No"]),
                "automated_decision": rnd.choice(rules.keys("automated_decisions")),
                "created_at": f"{created} 10:00:00",
            }
        )
    return out
