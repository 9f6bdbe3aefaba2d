"""The Transparency Database's own API tests, ported: the same payloads, the same statuses, the same errors.

From ``tests/Feature/Http/Controllers/Api/v1/StatementAPIControllerTest.php`` (one statement) and
``StatementMultipleAPIControllerTest.php`` (a batch), commit 69e80a0b. Its tests of Elasticsearch indexing and of
its puid cache are of its own machinery and have no counterpart; everything a client sees is here.
"""

import datetime as dt

import pytest
from django.utils import timezone

from docket.api.tests.conftest import api_as
from docket.statements.models import Statement
from docket.statements.tests.conftest import REQUIRED, full_statements, required

ONE = "/api/v1/statement"
MANY = "/api/v1/statements"


def post(api, body, path=ONE):
    return api.post(path, body, format="json")


def created(response):
    assert response.status_code == 201, response.content
    return response.json()


def refused(response):
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def stored(response):
    return Statement.objects.get(uuid=created(response)["uuid"])


# --- StatementAPIControllerTest ---------------------------------------------------------------------------------


def test_api_statement_show_works(api):
    statement = stored(post(api, REQUIRED))
    response = api.get(f"{ONE}/{statement.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["decision_ground"] == statement.decision_ground
    assert body["uuid"] == str(statement.uuid)
    assert body["source_identity"] == statement.source_identity == "foo"


def test_api_statement_existing_puid_works_and_gives_404(api):
    statement = stored(post(api, REQUIRED))
    response = api.get(f"{ONE}/existing-puid/{statement.puid}")
    assert response.status_code == 302
    assert response.json() == {"message": "statement of reason found", "puid": "TK421"}
    response = api.get(f"{ONE}/existing-puid/a-bad-puid")
    assert response.status_code == 404
    assert response.json() == {"message": "statement of reason not found", "puid": "a-bad-puid"}


def test_api_statement_show_and_store_require_auth(api):
    statement = stored(post(api, REQUIRED))
    assert api_as().get(f"{ONE}/{statement.uuid}").status_code == 401
    assert post(api_as(), required(puid="other")).status_code == 401
    assert post(api_as(), {"statements": [required(puid="other")]}, MANY).status_code == 401
    assert Statement.objects.count() == 1


def test_api_statement_store_works(api, platform):
    response = post(api, required(application_date="2023-12-20"))
    statement = stored(response)
    assert Statement.objects.count() == 1
    assert response.json()["id"] == statement.id
    assert statement.method == "API"
    assert statement.submitted_by == platform
    assert statement.application_date == dt.date(2023, 12, 20)
    assert statement.account_type is None and statement.content_language is None


def test_api_statement_store_response_includes_raw_id(api):
    response = post(api, REQUIRED)
    assert isinstance(created(response)["id"], int)
    assert stored(response).id == response.json()["id"]


def test_api_statement_store_response_keeps_documented_identifiers_and_links(api, platform):
    body = created(post(api, REQUIRED))
    assert {"id", "uuid", "platform_name", "permalink", "self", "puid"} <= set(body)
    assert body["platform_name"] == platform.platform.name
    assert body["puid"] == "TK421"
    assert body["self"] == f"http://testserver/api/v1/statement/{body['uuid']}"
    assert body["permalink"] == body["self"]


@pytest.mark.parametrize("language", ["EN", "VI"])
def test_api_statement_content_language_is_stored_and_may_be_non_european(api, language):
    statement = stored(
        post(
            api,
            required(application_date="2023-12-20", account_type="ACCOUNT_TYPE_BUSINESS", content_language=language),
        )
    )
    assert statement.account_type == "ACCOUNT_TYPE_BUSINESS"
    assert statement.content_type == ["CONTENT_TYPE_SYNTHETIC_MEDIA"]
    assert statement.content_language == language


@pytest.mark.parametrize("language", ["XX", "en"])
def test_api_statement_content_language_must_be_valid_and_uppercase(api, language):
    body = refused(post(api, required(account_type="ACCOUNT_TYPE_BUSINESS", content_language=language)))
    assert body["errors"] == {"content_language": ["The selected content language is invalid."]}
    assert Statement.objects.count() == 0


def test_api_statement_account_type_is_stored(api):
    assert stored(post(api, required(account_type="ACCOUNT_TYPE_BUSINESS"))).account_type == "ACCOUNT_TYPE_BUSINESS"


def test_api_statement_account_type_is_validated(api):
    body = refused(post(api, required(application_date="2023-12-20-05", account_type="ACCOUNT_TYPE_NOT_VALID")))
    assert body["errors"]["account_type"] == ["The selected account type is invalid."]
    assert body["errors"]["application_date"] == ["The application date does not match the format YYYY-MM-DD."]
    assert body["message"] == "The selected account type is invalid. (and 1 more error)"
    assert Statement.objects.count() == 0


def test_api_statement_json_store_works(api):
    statement = stored(post(api, required(application_date="2023-07-15")))
    assert statement.method == "API"
    assert statement.decision_ground_reference_url is None


def test_application_date_must_be_correct_format(api):
    today = timezone.now().date()
    statement = stored(
        post(
            api,
            required(application_date=str(today), end_date_monetary_restriction=str(today + dt.timedelta(days=7))),
        )
    )
    assert statement.application_date == today
    assert statement.end_date_monetary_restriction == today + dt.timedelta(days=7)
    assert api.get(f"{ONE}/{statement.uuid}").json()["application_date"] == str(today)


def test_request_rejects_bad_dates(api):
    body = refused(post(api, required(application_date="2023-4-4-4")))
    assert body["message"] == "The application date does not match the format YYYY-MM-DD."


def test_api_statement_store_rejects_bad_and_accepts_good_decision_ground_urls(api):
    body = refused(post(api, required(decision_ground_reference_url="notvalidurl")))
    assert body["errors"] == {
        "decision_ground_reference_url": ["The decision ground reference url field must be a valid URL."]
    }
    assert Statement.objects.count() == 0
    created(post(api, required(decision_ground_reference_url="https://www.goodurl.com")))
    assert Statement.objects.count() == 1


def test_request_rejects_bad_countries(api):
    body = refused(post(api, required(territorial_scope=["XY", "ZZ"])))
    assert body["message"] == "The selected territorial scope is invalid."


def test_store_does_not_save_optional_fields_non_related_to_illegal_content(api):
    statement = stored(
        post(api, required(incompatible_content_ground="foobar", incompatible_content_explanation="foobar2"))
    )
    assert statement.incompatible_content_ground is None
    assert statement.incompatible_content_explanation is None


def test_store_does_not_save_optional_fields_non_related_to_incompatible_content(api):
    statement = stored(
        post(
            api,
            required(
                decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT",
                incompatible_content_ground="foobar",
                incompatible_content_explanation="foobar2",
                incompatible_content_illegal="No",
            ),
        )
    )
    assert statement.illegal_content_legal_ground is None
    assert statement.illegal_content_explanation is None
    assert statement.incompatible_content_illegal == "No"


def test_request_rejects_bad_puids(api):
    body = refused(post(api, required(puid="very bad é + pu.id")))
    assert body["message"] == "The puid format is invalid."


def test_store_enforces_puid_uniqueness(api):
    body = refused(post(api, required(puid="")))
    assert body["errors"]["puid"][0] == "The puid field is required."

    created(post(api, required(puid="new-puid-123")))
    again = refused(post(api, required(puid="new-puid-123")))
    assert again["errors"]["puid"] == ["The identifier given is not unique within this platform."]
    assert again["message"] == "The identifier given is not unique within this platform."
    assert again["existing"] == {"puid": "new-puid-123"}
    assert Statement.objects.count() == 1


def test_store_handles_a_null_puid(api):
    body = refused(post(api, required(puid=None)))
    assert body["message"] == "The puid field is required."
    assert set(body) == {"message", "errors"}


def test_on_store_puid_is_shown_but_not_on_show(api):
    response = post(api, REQUIRED)
    assert created(response)["puid"] == "TK421"
    shown = api.get(f"{ONE}/{response.json()['uuid']}")
    assert "puid" not in shown.json()
    assert b'"puid":' not in shown.content


def test_store_should_save_content_type_other(api):
    statement = stored(
        post(api, required(content_type=["CONTENT_TYPE_APP", "CONTENT_TYPE_OTHER"], content_type_other="foobar other"))
    )
    assert statement.content_type == ["CONTENT_TYPE_APP", "CONTENT_TYPE_OTHER"]
    assert statement.content_type_other == "foobar other"


def test_store_should_not_save_content_type_other(api):
    statement = stored(
        post(
            api,
            required(
                content_type=["CONTENT_TYPE_AUDIO", "CONTENT_TYPE_APP", "CONTENT_TYPE_VIDEO"],
                content_type_other="foobar other",
            ),
        )
    )
    assert statement.content_type == ["CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_VIDEO"]
    assert statement.content_type_other is None


def test_store_should_save_source_identity(api):
    statement = stored(
        post(api, required(source_type="SOURCE_TYPE_OTHER_NOTIFICATION", source_identity="foobar other"))
    )
    assert statement.source_identity == "foobar other"


def test_store_should_not_save_source_identity(api):
    statement = stored(post(api, required(source_type="SOURCE_VOLUNTARY", source_identity="foobar other")))
    assert statement.source_type == "SOURCE_VOLUNTARY"
    assert statement.source_identity is None


def test_store_should_save_end_dates(api):
    statement = stored(
        post(
            api,
            required(
                end_date_visibility_restriction="2023-08-10",
                end_date_monetary_restriction="2023-08-11",
                end_date_service_restriction="2023-08-12",
                end_date_account_restriction="2023-08-13",
            ),
        )
    )
    assert statement.end_date_visibility_restriction == dt.date(2023, 8, 10)
    assert statement.end_date_monetary_restriction == dt.date(2023, 8, 11)
    assert statement.end_date_service_restriction == dt.date(2023, 8, 12)
    assert statement.end_date_account_restriction == dt.date(2023, 8, 13)


def test_store_should_save_keywords_with_other(api):
    statement = stored(
        post(
            api,
            required(
                category_specification=[
                    "KEYWORD_ADULT_SEXUAL_MATERIAL",
                    "KEYWORD_DESIGN_INFRINGEMENT",
                    "KEYWORD_OTHER",
                ],
                category_specification_other="foobar keyword",
            ),
        )
    )
    assert len(statement.category_specification) == 3
    assert statement.category_specification_other == "foobar keyword"


def test_store_should_save_not_duplicate_categories(api):
    statement = stored(
        post(
            api,
            required(
                category="STATEMENT_CATEGORY_VIOLENCE",
                category_addition=["STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "STATEMENT_CATEGORY_VIOLENCE"],
            ),
        )
    )
    assert statement.category_addition == ["STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"]


def test_store_should_save_empty_additional_categories_as_empty_array(api):
    assert stored(post(api, required(category_addition=[]))).category_addition == []


def test_store_should_save_null_decisions_when_account_is_suspended(api):
    statement = stored(
        post(
            api,
            required(
                decision_visibility=None,
                decision_monetary=None,
                decision_provision=None,
                decision_account="DECISION_ACCOUNT_SUSPENDED",
            ),
        )
    )
    assert statement.decision_visibility == []
    assert statement.decision_monetary is None and statement.decision_provision is None


def test_store_should_ignore_unknown_fields(api):
    body = created(post(api, required(decisions=None)))
    assert "decisions" not in body


def test_can_store_statement_with_valid_ean13_content_id(api):
    statement = full_statements(1)[0]
    statement["content_id"] = {"EAN-13": "1234567890123"}
    assert stored(post(api, statement)).content_id_ean == "1234567890123"


@pytest.mark.parametrize("ean", ["123456789012", "12345678901AB"])
def test_rejects_invalid_ean13_content_id(api, ean):
    statement = full_statements(1)[0]
    statement["content_id"] = {"EAN-13": ean}
    body = refused(post(api, statement))
    assert body["errors"] == {"content_id.EAN-13": ["The content id. e a n-13 field format is invalid."]}


# --- Laravel's rules the tests above lean on -------------------------------------------------------------------


def test_no_decision_at_all_names_all_four_groups(api):
    body = refused(post(api, required(decision_visibility=[])))
    assert body["errors"]["decision_visibility"] == [
        "The decision visibility field is required when none of decision monetary / decision provision / "
        "decision account are present."
    ]
    assert set(body["errors"]) == {"decision_visibility", "decision_monetary", "decision_provision", "decision_account"}
    assert body["message"].endswith("(and 3 more errors)")


def test_strings_are_trimmed_and_empty_strings_are_null(api):
    statement = stored(
        post(api, required(puid="  trimmed  ", decision_facts=" facts ", content_language="", source_identity=" "))
    )
    assert statement.puid == "trimmed" and statement.decision_facts == "facts"
    assert statement.content_language is None and statement.source_identity is None
    body = refused(post(api, required(puid="x", decision_facts="   ")))
    assert body["errors"] == {"decision_facts": ["The decision facts field is required."]}


def test_conditional_texts_are_required_with_the_database_s_messages(api):
    body = refused(
        post(
            api,
            required(
                decision_monetary="DECISION_MONETARY_OTHER",
                illegal_content_legal_ground=None,
                decision_visibility=["DECISION_VISIBILITY_OTHER"],
            ),
        )
    )
    assert body["errors"] == {
        "decision_visibility_other": ["The decision visibility other field is required."],
        "decision_monetary_other": ["The decision monetary other field is required when decision monetary is other."],
        "illegal_content_legal_ground": [
            "The illegal content legal ground field is required when decision ground is illegal content."
        ],
    }


def test_limits_and_dates(api):
    body = refused(
        post(
            api,
            required(
                decision_facts="x" * 5001,
                content_date="1999-12-31",
                application_date="2023-02-30",
                end_date_account_restriction="2038-01-02",
                puid="p" * 501,
            ),
        )
    )
    assert body["errors"] == {
        "content_date": ["The content date field must be a date after or equal to 2000-01-01."],
        "application_date": ["The application date does not match the format YYYY-MM-DD."],
        "end_date_account_restriction": [
            "The end date account restriction field must be a date before or equal to 2038-01-01."
        ],
        "decision_facts": ["The decision facts field must not be greater than 5000 characters."],
        "puid": ["The puid field must not be greater than 500 characters."],
    }


def test_a_text_given_an_array_is_refused_not_crashed(api):
    body = refused(post(api, required(decision_facts=["a", "b"])))
    assert body["errors"] == {"decision_facts": ["The decision facts field must be a string."]}


def test_a_body_that_is_not_an_object_is_an_empty_statement(api):
    body = refused(api.post(ONE, [1, 2], format="json"))
    assert body["errors"]["puid"] == ["The puid field is required."]


def test_an_officer_s_token_is_refused(tree, team):
    response = post(api_as(team.a), REQUIRED)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert post(api_as(team.a), {"statements": [REQUIRED]}, MANY).status_code == 403
    assert Statement.objects.count() == 0


def test_english_by_default_and_the_asked_language_otherwise(platform):
    client = api_as(platform)
    client.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"])  # no Accept-Language
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    body = refused(post(client, required(puid="")))
    assert body["errors"]["puid"] == ["The puid field is required."]


# --- StatementMultipleAPIControllerTest -------------------------------------------------------------------------


def batch(n=10, **changes):
    return [required(application_date="2023-12-20", puid=f"sor-{i}", **changes) for i in range(n)]


def test_api_statements_store_requires_auth():
    assert post(api_as(), {"statements": batch()}, MANY).status_code == 401


def test_api_statements_store_works(api):
    body = created(post(api, {"statements": batch()}, MANY))
    assert Statement.objects.count() == 10
    assert [s["puid"] for s in body["statements"]] == [f"sor-{i}" for i in range(10)]
    assert all(s["self"].endswith(s["uuid"]) and s["platform_name"] for s in body["statements"])
    assert set(Statement.objects.values_list("method", flat=True)) == {"API_MULTI"}


def test_api_statements_store_validates(api):
    sors = batch()
    sors[3]["content_language"] = "XX"
    body = refused(post(api, {"statements": sors}, MANY))
    assert body == {"errors": {"statement_3": {"content_language": ["The selected content language is invalid."]}}}
    assert Statement.objects.count() == 0


def test_api_statements_store_detect_non_unique_in_call(api):
    sors = batch()
    sors[0]["puid"] = sors[5]["puid"]
    body = refused(post(api, {"statements": sors}, MANY))
    assert body["message"] == "The platform identifier(s) are not all unique within this call."
    assert body["errors"]["existing_puids"] == ["sor-5"]
    assert Statement.objects.count() == 0


def test_api_statements_store_detect_non_unique_sent_again(api):
    sors = batch(1)
    sors[0]["puid"] = "foo-bar-123"
    created(post(api, {"statements": sors}, MANY))
    body = refused(post(api, {"statements": sors}, MANY))
    assert body["errors"]["existing_puids"] == ["foo-bar-123"]
    assert Statement.objects.count() == 1


def test_api_statements_store_detects_previous_puid(api):
    created(post(api, {"statements": batch()}, MANY))
    body = refused(post(api, {"statements": batch()}, MANY))
    assert body["errors"]["puid"] == ["The platform identifier(s) were already stored for this platform."]
    assert sorted(body["errors"]["existing_puids"]) == sorted(f"sor-{i}" for i in range(10))
    assert Statement.objects.count() == 10


def test_api_statements_store_detects_a_puid_stored_by_the_single_endpoint(api):
    created(post(api, required(puid="foo-bar-sor-in-database")))
    sors = [required(puid="foo-bar-sor-in-database"), *batch()]
    body = refused(post(api, {"statements": sors}, MANY))
    assert body["errors"]["existing_puids"] == ["foo-bar-sor-in-database"]
    assert Statement.objects.count() == 1


def test_it_should_store_multiple_submissions_created_by_factory(api):
    created(post(api, {"statements": full_statements(5)}, MANY))
    assert Statement.objects.count() == 5


def test_it_should_deduplicate_territories(api):
    statements = full_statements(5)
    statements[4]["territorial_scope"] = ["DE", "ES", "PT"] * 9
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid=statements[4]["puid"]).territorial_scope == ["DE", "ES", "PT"]


def test_it_should_require_decision_visibility_other_field_when_sending_multiple_statements(api):
    statements = full_statements(5)
    statements[0]["decision_visibility"] = ["DECISION_VISIBILITY_OTHER"]
    statements[0]["decision_visibility_other"] = "required field"
    statements[1]["decision_visibility"] = ["DECISION_VISIBILITY_OTHER"]
    del statements[1]["decision_visibility_other"]
    statements[2]["decision_visibility"] = ["DECISION_VISIBILITY_OTHER"]
    statements[2]["decision_visibility_other"] = None
    statements[3]["decision_visibility"] = ["DECISION_VISIBILITY_CONTENT_LABELLED"]
    statements[3]["decision_visibility_other"] = None
    statements[4]["decision_visibility"] = ["DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_OTHER"]
    statements[4]["decision_visibility_other"] = None
    errors = refused(post(api, {"statements": statements}, MANY))["errors"]
    assert len(errors) == 3
    for key in ("statement_1", "statement_2", "statement_4"):
        assert errors[key]["decision_visibility_other"][0] == "The decision visibility other field is required."
    assert Statement.objects.count() == 0


@pytest.mark.parametrize("value", ["CONTENT_TYPE_OTHER", "DECISION_VISIBILITY_CONTENT_REMOVED"])
def test_it_should_only_accept_arrays_as_content_type(api, value):
    statements = full_statements(5)
    statements[0]["content_type"] = value
    errors = refused(post(api, {"statements": statements}, MANY))["errors"]
    assert list(errors) == ["statement_0"]
    assert errors["statement_0"]["content_type"][0] == "The content type field must be an array."
    assert Statement.objects.count() == 0


def test_it_should_require_descriptions_when_other_fields_are_sent_via_multiple_statements(api):
    statements = full_statements(5)
    statements[0]["content_type"] = ["CONTENT_TYPE_OTHER"]
    statements[0]["content_type_other"] = "required field"
    statements[1]["content_type"] = ["CONTENT_TYPE_OTHER"]
    del statements[1]["content_type_other"]
    statements[2]["content_type"] = ["CONTENT_TYPE_OTHER"]
    statements[2]["content_type_other"] = None
    statements[3]["content_type"] = ["CONTENT_TYPE_IMAGE"]
    statements[3]["content_type_other"] = None
    statements[4]["content_type"] = ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_OTHER"]
    statements[4]["content_type_other"] = None
    errors = refused(post(api, {"statements": statements}, MANY))["errors"]
    assert len(errors) == 3
    for key in ("statement_1", "statement_2", "statement_4"):
        assert errors[key]["content_type_other"][0] == "The content type other field is required."


def test_store_multiple_should_not_save_source_identity(api):
    body = created(post(api, {"statements": batch(1, source_type="SOURCE_VOLUNTARY")}, MANY))
    statement = Statement.objects.get(puid=body["statements"][0]["puid"])
    assert statement.source_type == "SOURCE_VOLUNTARY" and statement.source_identity is None


def test_store_multiple_with_different_content_types(api):
    statements = full_statements(2)
    statements[0].update(puid="testA", content_type=["CONTENT_TYPE_OTHER"], content_type_other="content type other")
    statements[1]["content_type"] = ["CONTENT_TYPE_IMAGE"]
    del statements[1]["content_type_other"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testA").content_type_other == "content type other"
    assert Statement.objects.get(puid=statements[1]["puid"]).content_type_other is None


def test_store_multiple_with_different_source_type(api):
    statements = full_statements(3)
    statements[0].update(puid="testSourceTypeA", source_type="SOURCE_VOLUNTARY", source_identity="not persisted")
    statements[1].update(puid="testSourceTypeB", source_type="SOURCE_TRUSTED_FLAGGER", source_identity="identity")
    statements[2].update(puid="testSourceTypeC", source_type="SOURCE_TRUSTED_FLAGGER")
    del statements[2]["source_identity"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testSourceTypeA").source_identity is None
    assert Statement.objects.get(puid="testSourceTypeB").source_identity == "identity"
    assert Statement.objects.get(puid="testSourceTypeC").source_identity is None


def test_store_multiple_with_different_decision_monetary(api):
    statements = full_statements(3)
    statements[0].update(
        puid="testDecisionMonetaryA", decision_monetary="DECISION_MONETARY_OTHER", decision_monetary_other="kept"
    )
    statements[1].update(
        puid="testDecisionMonetaryB", decision_monetary="DECISION_MONETARY_SUSPENSION", decision_monetary_other="no"
    )
    statements[2].update(puid="testDecisionMonetaryC", decision_monetary="DECISION_MONETARY_SUSPENSION")
    del statements[2]["decision_monetary_other"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testDecisionMonetaryA").decision_monetary_other == "kept"
    assert Statement.objects.get(puid="testDecisionMonetaryB").decision_monetary_other is None
    assert Statement.objects.get(puid="testDecisionMonetaryC").decision_monetary_other is None


def test_store_multiple_with_different_category_specifications(api):
    statements = full_statements(3)
    statements[0].update(puid="testA", category_specification=["KEYWORD_OTHER"], category_specification_other="v")
    statements[1].update(
        puid="testB", category_specification=["KEYWORD_BIOMETRIC_DATA_BREACH"], category_specification_other="v"
    )
    statements[2].update(puid="testC", category_specification=["KEYWORD_BIOMETRIC_DATA_BREACH"])
    del statements[2]["category_specification_other"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testA").category_specification_other == "v"
    assert Statement.objects.get(puid="testB").category_specification_other is None
    assert Statement.objects.get(puid="testC").category_specification_other is None


def test_store_multiple_with_different_decision_grounds(api):
    statements = full_statements(2)
    statements[0].update(
        puid="testDecisionGroundA",
        decision_ground="DECISION_GROUND_ILLEGAL_CONTENT",
        illegal_content_legal_ground="legal ground kept",
        illegal_content_explanation="explanation kept",
    )
    for key in ("incompatible_content_ground", "incompatible_content_explanation", "incompatible_content_illegal"):
        del statements[0][key]
    statements[1].update(
        puid="testDecisionGroundB",
        decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT",
        incompatible_content_ground="ground kept",
        incompatible_content_explanation="explanation kept",
        incompatible_content_illegal="Yes",
    )
    del statements[1]["illegal_content_legal_ground"], statements[1]["illegal_content_explanation"]
    created(post(api, {"statements": statements}, MANY))
    a = Statement.objects.get(puid="testDecisionGroundA")
    assert (a.illegal_content_legal_ground, a.illegal_content_explanation) == ("legal ground kept", "explanation kept")
    b = Statement.objects.get(puid="testDecisionGroundB")
    assert (b.incompatible_content_ground, b.incompatible_content_explanation) == ("ground kept", "explanation kept")
    assert b.incompatible_content_illegal == "Yes"


def test_store_multiple_with_different_decision_visibility(api):
    statements = full_statements(2)
    statements[0].update(
        puid="testDecisionVisibilityA",
        decision_visibility=["DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_OTHER"],
        decision_visibility_other="kept",
    )
    statements[1].update(puid="testDecisionVisibilityB", decision_visibility=["DECISION_VISIBILITY_CONTENT_REMOVED"])
    del statements[1]["decision_visibility_other"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testDecisionVisibilityA").decision_visibility_other == "kept"
    assert Statement.objects.get(puid="testDecisionVisibilityB").decision_visibility_other is None


def test_store_multiple_statements_with_different_attributes_should_be_persisted_and_visible(api):
    light = {k: v for k, v in REQUIRED.items() if k not in ("decision_visibility", "decision_monetary")}
    light.update(decision_monetary="DECISION_MONETARY_TERMINATION", puid="sorLight")
    light.pop("decision_provision"), light.pop("decision_account")
    body = created(post(api, {"statements": [light, required(application_date="2023-12-20", puid="sorFull")]}, MANY))
    for shown in body["statements"]:
        assert api.get(f"{ONE}/{shown['uuid']}").status_code == 200


def test_store_multiple_with_category_addition(api):
    statements = full_statements(2)
    statements[0].update(puid="testCategoryAdditionA", category_addition=[])
    statements[1]["puid"] = "testCategoryAdditionB"
    del statements[1]["category_addition"]
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(puid="testCategoryAdditionA").category_addition == []
    assert Statement.objects.get(puid="testCategoryAdditionB").category_addition == []


def test_it_should_reject_bad_puids(api):
    light = required(
        puid="very bad + â pu+id !", decision_visibility=None, decision_monetary="DECISION_MONETARY_TERMINATION"
    )
    full = required(application_date="2023-12-20", puid="very bad + â pu+id !")
    errors = refused(post(api, {"statements": [light, full]}, MANY))["errors"]
    assert errors["statement_0"]["puid"][0] == "The puid format is invalid."
    assert errors["statement_1"]["puid"][0] == "The puid format is invalid."


def test_store_multiple_with_content_id(api):
    statements = full_statements(3)
    statements[0]["content_id"] = {"EAN-13": "1111111111111"}
    statements[1]["content_id"] = {"EAN-13": "2222222222222"}
    created(post(api, {"statements": statements}, MANY))
    assert Statement.objects.get(content_id_ean="1111111111111").puid == statements[0]["puid"]
    assert Statement.objects.get(content_id_ean="2222222222222").puid == statements[1]["puid"]
    assert Statement.objects.get(puid=statements[2]["puid"]).content_id_ean is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The statements field is required."),
        ({"statements": []}, "The statements field is required."),
        ({"statements": "x"}, "The statements field must be an array."),
        ({"statements": [REQUIRED] * 101}, "The statements field must have between 1 and 100 items."),
    ],
)
def test_a_batch_is_1_to_100_statements(api, body, message):
    answer = refused(post(api, body, MANY))
    assert answer == {"message": message, "errors": {"statements": [message]}}


def test_a_batch_is_all_or_nothing_with_every_bad_statement_named(api):
    sors = batch(100)
    sors[7]["category"] = "nope"
    sors[99]["content_date"] = None
    errors = refused(post(api, {"statements": sors}, MANY))["errors"]
    assert errors == {
        "statement_7": {"category": ["The selected category is invalid."]},
        "statement_99": {"content_date": ["The content date field is required."]},
    }
    assert Statement.objects.count() == 0
    assert len(created(post(api, {"statements": batch(100)}, MANY))["statements"]) == 100


def test_a_replayed_refusal_keeps_the_transparency_database_media_type(api):
    """An ``Idempotency-Key`` retry answers the first answer, as the first answer was sent: plain JSON here."""
    body = required(account_type="ACCOUNT_TYPE_NOT_VALID")
    first = api.post(ONE, body, format="json", HTTP_IDEMPOTENCY_KEY="dsa-1")
    again = api.post(ONE, body, format="json", HTTP_IDEMPOTENCY_KEY="dsa-1")
    assert refused(first) == refused(again)
    assert again["Idempotent-Replayed"] == "true"
