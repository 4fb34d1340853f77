"""Conventions every API endpoint shares: authentication, the error shape, the schema and docs."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from apps.documents.models import Document
from mlsd_portal.api import JSONParser
from tests.factories import make_template

DOCUMENTS = reverse("api:document-list")

EVERY_ENDPOINT = {
    "/api/v1/teams/": {"get", "post"},
    "/api/v1/teams/{team_id}/members/": {"get", "post"},
    "/api/v1/teams/{team_id}/members/{username}/": {"patch", "delete"},
    "/api/v1/templates/": {"get"},
    "/api/v1/templates/{key}/": {"get"},
    "/api/v1/documents/": {"get", "post"},
    "/api/v1/documents/{doc_id}/": {"get", "patch"},
    "/api/v1/documents/{doc_id}/sections/{key}/": {"get", "patch"},
    "/api/v1/documents/{doc_id}/sections/{key}/revisions/": {"get"},
    "/api/v1/documents/{doc_id}/sections/{key}/revisions/compare/": {"get"},
    "/api/v1/documents/{doc_id}/sections/{key}/revisions/{version}/": {"get"},
    "/api/v1/documents/{doc_id}/sections/{key}/revisions/{version}/restore/": {"post"},
    "/api/v1/documents/{doc_id}/revisions/": {"get"},
    "/api/v1/documents/{doc_id}/presence/": {"get", "post"},
    "/api/v1/documents/{doc_id}/checklist/": {"get"},
    "/api/v1/documents/{doc_id}/waivers/": {"post"},
    "/api/v1/documents/{doc_id}/waivers/{waiver_id}/": {"delete"},
    "/api/v1/tools/ab-sample-size/": {"post"},
    "/api/v1/documents/{doc_id}/archive/": {"post"},
    "/api/v1/documents/{doc_id}/restore/": {"post"},
    "/api/v1/documents/{doc_id}/threads/": {"get", "post"},
    "/api/v1/documents/{doc_id}/threads/{thread_id}/": {"get"},
    "/api/v1/documents/{doc_id}/threads/{thread_id}/comments/": {"post"},
    "/api/v1/documents/{doc_id}/threads/{thread_id}/resolve/": {"post"},
    "/api/v1/documents/{doc_id}/threads/{thread_id}/reopen/": {"post"},
    "/api/v1/documents/{doc_id}/comments/{comment_id}/": {"patch", "delete"},
    "/api/v1/documents/{doc_id}/reviews/": {"get", "post"},
    "/api/v1/documents/{doc_id}/reviews/requests/{request_id}/": {"delete"},
    "/api/v1/documents/{doc_id}/signoff/": {"get"},
    "/api/v1/documents/{doc_id}/versions/{version}/": {"get"},
    "/api/v1/documents/{doc_id}/audit/": {"get"},
    "/api/v1/documents/{doc_id}/scores/": {"get", "put"},
    "/api/v1/documents/import/": {"post"},
    "/api/v1/documents/{doc_id}/exports/": {"post"},
    "/api/v1/exports/{job_id}/": {"get"},
    "/api/v1/exports/{job_id}/download/": {"get"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/read/": {"post"},
    "/api/v1/notifications/preferences/": {"get", "put"},
    # interviews
    "/api/v1/documents/{doc_id}/interview/": {"get"},
    "/api/v1/documents/{doc_id}/interview/start/": {"post"},
    "/api/v1/documents/{doc_id}/interview/next/": {"post"},
    "/api/v1/documents/{doc_id}/interview/pause/": {"post"},
    "/api/v1/documents/{doc_id}/interview/resume/": {"post"},
    "/api/v1/documents/{doc_id}/interview/finish/": {"post"},
    "/api/v1/documents/{doc_id}/interview/interviewer/": {"post"},
    "/api/v1/documents/{doc_id}/interview/notes/": {"get"},
    "/api/v1/documents/{doc_id}/interview/notes/{key}/": {"put"},
    # library
    "/api/v1/library/": {"get"},
    "/api/v1/library/{slug}/": {"get"},
    "/api/v1/library/{slug}/clone/": {"post"},
    # courses
    "/api/v1/courses/": {"get", "post"},
    "/api/v1/courses/{course_id}/": {"get", "patch"},
    "/api/v1/courses/{course_id}/assignments/": {"get", "post"},
    "/api/v1/courses/{course_id}/assignments/{assignment_id}/": {"get", "patch"},
    "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/": {"get", "post"},
    "/api/v1/courses/{course_id}/grades/": {"get"},
    "/api/v1/submissions/{submission_id}/": {"get"},
    "/api/v1/submissions/{submission_id}/submit/": {"post"},
    "/api/v1/submissions/{submission_id}/withdraw/": {"post"},
    "/api/v1/submissions/{submission_id}/grade/": {"post"},
}


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


def create_payload(team) -> dict:
    return {"team": str(team.pk), "template": "tiny", "title": "Feed ranking"}


# --- authentication --------------------------------------------------------------------------


def test_a_real_token_authenticates_reads_and_writes_without_csrf(alice, team_a):
    make_template("tiny")
    token = Token.objects.create(user=alice)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(DOCUMENTS).status_code == 200
    response = client.post(DOCUMENTS, create_payload(team_a), format="json")
    assert response.status_code == 201, response.content
    assert Document.objects.get().created_by == alice


def test_a_wrong_token_is_refused_in_the_error_shape(alice, team_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(DOCUMENTS)
    assert response.status_code in (401, 403)
    assert_error_shape(response, response.status_code)


def test_a_session_write_without_the_csrf_token_is_refused(alice, team_a):
    make_template("tiny")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(DOCUMENTS).status_code == 200
    response = client.post(DOCUMENTS, create_payload(team_a), format="json")
    body = assert_error_shape(response, 403)
    assert "CSRF" in body["detail"]
    assert not Document.objects.exists()


def test_a_session_write_with_the_csrf_token_goes_through(alice, team_a):
    make_template("tiny")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    secret = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a 32-character CSRF secret, as the cookie holds
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(
        DOCUMENTS, create_payload(team_a), format="json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 201, response.content


# --- the error shape -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/documents/not-a-uuid/", "/api/nope", "/api/"]
)
def test_unknown_api_paths_are_json_404s(alice, path):
    client = APIClient()
    client.force_authenticate(alice)
    assert_error_shape(client.get(path), 404)
    assert_error_shape(client.post(path, {}, format="json"), 404)


def test_html_paths_still_get_the_html_404(db):
    response = APIClient().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_malformed_json_is_a_400_in_the_error_shape(alice, team_a):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.post(DOCUMENTS, '{"title": ', content_type="application/json")
    assert "JSON parse error" in assert_error_shape(response, 400)["detail"]


@pytest.mark.parametrize("body", ["[]", '"x"', "3", "null"])
def test_a_json_body_that_is_not_an_object_is_a_400_that_says_so(alice, team_a, body):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.post(DOCUMENTS, body, content_type="application/json")
    error = assert_error_shape(response, 400)
    assert "Expected a dictionary" in error["detail"] or "No data provided" in error["detail"]
    assert error["errors"]["non_field_errors"]
    assert not Document.objects.exists()


def test_a_body_over_the_upload_limit_is_a_413_in_the_error_shape(alice, doc):
    client = APIClient()
    client.force_authenticate(alice)
    body = '{"body_md": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    url = reverse("api:section-detail", args=[doc.pk, "s0"])
    response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 413)
    assert doc.sections.get(key="s0").version == 1


def test_the_json_parser_turns_absurd_nesting_into_a_parse_error():
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ParseError, match="nested too deeply"):
        JSONParser().parse(io.BytesIO(deep), "application/json", {})


def test_an_absurdly_nested_body_is_a_400_not_a_crash(alice, doc):
    client = APIClient()
    client.force_authenticate(alice)
    deep = "[" * 100_000 + "]" * 100_000
    url = reverse("api:section-detail", args=[doc.pk, "s0"])
    response = client.patch(url, deep, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert_error_shape(response, 400)
    assert doc.sections.get(key="s0").version == 1


def test_a_form_body_is_a_415_in_the_error_shape(alice, team_a):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.post(DOCUMENTS, {"title": "x"}, format="multipart")
    assert_error_shape(response, 415)


def test_an_unsupported_method_is_a_405_in_the_error_shape(alice):
    client = APIClient()
    client.force_authenticate(alice)
    assert_error_shape(client.delete(DOCUMENTS), 405)


def test_field_errors_are_lists_of_messages_under_their_field(alice, team_a):
    client = APIClient()
    client.force_authenticate(alice)
    body = assert_error_shape(client.post(DOCUMENTS, {"title": ""}, format="json"), 400)
    assert body["detail"] == "Invalid input."
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in body["errors"].values()
    )


# --- schema and docs -------------------------------------------------------------------------


def test_the_schema_loads_as_json_and_lists_every_endpoint(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = {
        path: {method for method in operations if method != "parameters"}
        for path, operations in schema["paths"].items()
    }
    assert paths == EVERY_ENDPOINT


def test_every_operation_documents_its_success_response_and_an_id(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation_ids = []
    for operations in schema["paths"].values():
        for operation in operations.values():
            operation_ids.append(operation["operationId"])
            assert {"200", "201", "202", "204"} & set(operation["responses"]), operation
    assert len(operation_ids) == len(set(operation_ids))


def test_the_document_list_documents_its_filters_and_pagination(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/documents/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"team", "status", "template", "q", "archived", "page", "page_size"}
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["$ref"].endswith("/PaginatedDocumentOutputList")


def test_no_integer_ids_appear_in_the_schema(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                # Revision and signed-off versions are per-section/per-document counters.
                if parameter["in"] == "path" and parameter["name"] != "version":
                    assert parameter["schema"]["type"] == "string", (path, parameter)
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            # rule_id names a checklist rule of the content spec ("MET-01"), not a row.
            if field == "id" or (field.endswith("_id") and field != "rule_id"):
                assert spec.get("format") == "uuid", (name, field)


def test_the_schema_has_no_warnings_and_validates(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_the_docs_page_renders_from_local_assets_only(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "swagger-ui" in html
    assert f'src="{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/' in html
    assert "http://" not in html and "https://" not in html
    assert 'src="//' not in html and 'href="//' not in html
