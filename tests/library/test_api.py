"""The library API: list with filters, one example, clone into a team."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.documents.models import Document


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_the_library_api_needs_a_signed_in_user(api, two_examples):
    assert api.get("/api/v1/library/").status_code == 401


@pytest.mark.django_db
def test_the_list_filters_and_searches_in_constant_queries(api, two_examples, alice):
    api.force_authenticate(alice)
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/library/").json()
    assert body["count"] == 2
    assert len(queries) <= 2
    assert {row["slug"] for row in body["results"]} == {"ctr-ads", "churn-copy"}
    row = next(r for r in body["results"] if r["slug"] == "ctr-ads")
    assert (row["template"], row["task_type"], row["serving_mode"]) == (
        "ml_system_design",
        "binary_classification",
        "online",
    )
    assert row["error_count"] == row["warning_count"] == 0
    only = api.get("/api/v1/library/", {"domain": "Subscriptions"}).json()
    assert [r["slug"] for r in only["results"]] == ["churn-copy"]
    assert api.get("/api/v1/library/", {"q": "zebra-unicorn"}).json()["count"] == 0


@pytest.mark.django_db
def test_one_example_has_its_sections_findings_and_file(api, two_examples, alice):
    api.force_authenticate(alice)
    body = api.get("/api/v1/library/ctr-ads/").json()
    assert body["findings"] == [] or all(f["severity"] == "info" for f in body["findings"])
    assert body["sections"][2]["key"] == "metrics"
    assert body["sections"][2]["data"]["metrics"]["items"]
    assert body["markdown"].startswith("---\n")
    assert api.get("/api/v1/library/nope/").status_code == 404


@pytest.mark.django_db
def test_clone_makes_a_draft_in_my_team(api, two_examples, alice, team_a):
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/library/ctr-ads/clone/", {"team": str(team_a.pk), "title": "Ours"}, format="json"
    )
    assert response.status_code == 201
    document = Document.objects.get()
    assert response.json()["id"] == str(document.pk)
    assert (document.team, document.title) == (team_a, "Ours")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "payload", "status"),
    [
        ("carol", {"team": "TEAM"}, 404),
        ("victor", {"team": "TEAM"}, 403),
        ("alice", {}, 400),
        ("alice", {"team": "nope"}, 400),
        ("alice", {"team": "TEAM", "title": "x" * 201}, 400),
    ],
)
def test_clone_refuses_other_teams_readers_and_bad_input(
    api,
    two_examples,
    cast,
    team_a,
    who,
    payload,
    status,
):
    api.force_authenticate(cast[who])
    payload = {k: (str(team_a.pk) if v == "TEAM" else v) for k, v in payload.items()}
    response = api.post("/api/v1/library/ctr-ads/clone/", payload, format="json")
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"]
    assert not Document.objects.exists()
