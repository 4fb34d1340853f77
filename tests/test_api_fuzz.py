"""schemathesis over the OpenAPI schema: every operation with generated input, as a signed-in
member of one team, never answers 5xx, answers in the shape and content type the schema
documents, and never shows a canary planted in another team's document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.documents.services import document_create, section_save
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from mlsd_portal.wsgi import application
from tests.factories import make_team, make_user

CANARY = "canary-7f3a9c-team-b-secret"
# What the API promises: no server error, and every answer documented (status, content type,
# headers, body shape). Rules the schema cannot express (α in (0, 0.2], "a team you are in")
# are refused with a documented 400, so "schema-valid input rejected" is not a failure here.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def one_connection():
    """schemathesis calls the WSGI application itself. Like Django's test client, keep the
    request signals from closing the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    """alice's API token; team B, which she is not in, holds the canary everywhere it can."""
    templates_load_all()
    alice, carol = make_user("alice"), make_user("carol")
    make_team("Ads ranking", {alice: "owner"})
    team_b = make_team("Search quality", {carol: "owner"})
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    secret = document_create(
        team=team_b, template=template, title=CANARY, summary=CANARY, created_by=carol
    )
    section = secret.sections.select_related("spec", "document").get(key="problem")
    section_save(section=section, body_md=CANARY, author=carol)
    return Token.objects.create(user=alice).key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_conforms_and_keeps_other_teams_out(case, token):
    response = case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
    assert CANARY not in response.text
