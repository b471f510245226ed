"""What the API fuzzer (.ci/fuzz-api) checks the answers against: the OpenAPI schema documents
every error an operation can give, with the `{"error": ...}` body, and the answers keep to it."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from scoring.core.api_errors import REQUEST_BODY_TOO_LARGE_ERROR, TOO_MANY_FIELDS_ERROR
from scoring.leads.lead_csv import EXPORT_HEADER
from tests.factories import LeadFactory

ERROR_REF = "#/components/schemas/Error"
THROTTLED_OPERATIONS = {
    ("post", "/score/"),
    ("post", "/leads/upload/"),
    ("post", "/api/uploads/"),
    ("post", "/api/offers/{id}/score/"),
    ("post", "/api/runs/"),
    ("post", "/api/runs/{id}/resume/"),
    ("post", "/api/conversations/grade/"),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _error_ref(response):
    return response["content"]["application/json"]["schema"]["$ref"]


def test_schema_generation_has_no_warnings(tmp_path):
    # The same check as .ci/run: a warning is an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s"))


def test_every_operation_documents_401_and_its_throttle_with_the_error_body(schema):
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        assert _error_ref(responses["401"]) == ERROR_REF, (method, path)
        assert ("429" in responses) == ((method, path) in THROTTLED_OPERATIONS), (method, path)
        assert {"apiKeyAuth": []} in operation["security"], (method, path)


def test_errors_of_bodies_paths_and_lists_are_documented(schema):
    for method, path, operation in _operations(schema):
        codes = set(operation["responses"])
        if method in ("post", "put", "patch"):
            assert {"400", "413"} <= codes, (method, path)
        if "{id}" in path:
            assert "404" in codes, (method, path)


def test_error_component_allows_validation_detail(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["error"]
    assert set(error["properties"]) == {"error", "fields"}


def test_api_upload_documents_a_multipart_csv_file(schema):
    operation = schema["paths"]["/api/uploads/"]["post"]

    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/LeadUpload"
    )


def test_intent_labels_are_one_component(schema):
    properties = schema["components"]["schemas"]["Score"]["properties"]

    # Null while the AI half is missing (ai_status "failed").
    assert properties["intent"]["allOf"] == [{"$ref": "#/components/schemas/Intent"}]
    assert properties["intent"]["nullable"] is True
    assert schema["components"]["schemas"]["Intent"]["enum"] == ["High", "Medium", "Low"]


@pytest.mark.django_db
def test_csv_export_answers_csv_to_a_client_that_asks_for_csv(api_client, account):
    LeadFactory(account=account)

    response = api_client.get("/csv/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert b"".join(response.streaming_content).decode().startswith(",".join(EXPORT_HEADER))


@pytest.mark.django_db
def test_csv_export_error_is_json_whatever_accept_says(api_client):
    response = api_client.get("/csv/", {"offer_id": 999}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_json_body_over_the_limit_is_413_naming_the_limit(settings, api_client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024

    response = api_client.post(
        "/product/offer/", {"name": "x" * 4096, "value_props": [], "ideal_use_cases": []}
    )

    assert response.status_code == 413
    assert response.json() == {"error": REQUEST_BODY_TOO_LARGE_ERROR.format(limit=2)}


@pytest.mark.django_db
def test_form_with_too_many_fields_is_400_not_a_server_error(settings, api_client):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = "&".join(f"f{i}=x" for i in range(10))

    response = api_client.post("/score/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json() == {"error": TOO_MANY_FIELDS_ERROR}
