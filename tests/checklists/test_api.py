"""The checklist, waiver and A/B calculator endpoints."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.checklists import engine
from apps.checklists.models import Waiver
from apps.documents.services import document_create
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def design(team_a, alice):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design")
    return document_create(team=team_a, template=template, title="CTR", created_by=alice)


@pytest.mark.parametrize(
    ("name", "status"),
    [("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)],
)
def test_members_read_the_checklist(cast, design, name, status):
    response = client_for(cast[name]).get(reverse("api:document-checklist", args=[design.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert len(body["rules"]) == 40
        assert body["counts"]["error"] == body["counts"]["unwaived_error"] > 0
        assert {"passed", "failed", "not_applicable"} >= {r["status"] for r in body["rules"]}


def test_reading_the_checklist_never_runs_the_rules(alice, design, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the rules ran on a read")

    monkeypatch.setattr(engine, "run_checklist", boom)
    response = client_for(alice).get(reverse("api:document-checklist", args=[design.pk]))
    assert response.status_code == 200


def waive(user, design, finding, reason="Accepted for the prototype."):
    return client_for(user).post(
        reverse("api:document-waivers", args=[design.pk]),
        {"rule_id": finding["rule_id"], "section": finding["section"], "reason": reason},
        format="json",
    )


def an_error(user, design):
    body = client_for(user).get(reverse("api:document-checklist", args=[design.pk])).json()
    return next(f for f in body["findings"] if f["severity"] == "error")


def test_a_reviewer_waives_an_error_and_it_stops_counting(alice, bob, design):
    error = an_error(alice, design)
    response = waive(bob, design, error)
    assert response.status_code == 201, response.content
    body = client_for(alice).get(reverse("api:document-checklist", args=[design.pk])).json()
    assert body["counts"]["unwaived_error"] == body["counts"]["error"] - 1
    waived = [f for f in body["findings"] if f["waived"]]
    assert waived[0]["waived"]["created_by"] == "bob"


@pytest.mark.parametrize(("name", "status"), [("eddie", 403), ("victor", 403), ("carol", 404)])
def test_others_cannot_waive_an_error(cast, alice, design, name, status):
    assert waive(cast[name], design, an_error(alice, design)).status_code == status
    assert not Waiver.objects.exists()


def test_a_waiver_without_a_reason_is_a_400(alice, design):
    response = waive(alice, design, an_error(alice, design), reason="")
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def test_a_waiver_is_withdrawn(alice, design):
    waiver_id = waive(alice, design, an_error(alice, design)).json()["id"]
    url = reverse("api:document-waiver", args=[design.pk, waiver_id])
    assert client_for(alice).delete(url).status_code == 204
    assert not Waiver.objects.exists()


@pytest.mark.parametrize("body", [{}, {"rule_id": "PRB-01", "section": "problem", "reason": "Hm."}])
def test_a_viewer_is_refused_a_waiver_before_the_input_is_read(cast, design, body):
    url = reverse("api:document-waivers", args=[design.pk])
    response = client_for(cast["victor"]).post(url, body, format="json")
    assert response.status_code == 403
    assert not Waiver.objects.exists()
