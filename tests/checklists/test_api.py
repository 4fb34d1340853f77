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


AB = reverse("api:ab-sample-size")


def test_the_calculator_answers_anonymous_visitors_with_the_spec_numbers(db):
    payload = {"metric_type": "proportion", "baseline_rate": 0.05, "mde_value": 0.1,
               "mde_type": "relative", "alpha": 0.05, "power": 0.8,
               "daily_eligible_units": 10000}  # fmt: skip
    body = client_for().post(AB, payload, format="json").json()
    assert (body["n_control"], body["n_treatment"], body["computed_days"]) == (31231, 31231, 7)
    assert "31,230.69" in body["formula"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": 0.5}, "alpha"),
        ({"power": 1}, "power"),
        ({"baseline_rate": 0}, "baseline_rate"),
        ({"baseline_rate": 1}, "baseline_rate"),
        ({"mde_value": 25}, "mde_value"),
        ({"allocation_control": 0.7, "allocation_treatment": 0.5}, "allocation_treatment"),
        ({"alpha": "five percent"}, "alpha"),
        ({"metric_type": "mean", "std_dev": 0, "mde_type": "absolute"}, "std_dev"),
    ],
)
def test_bad_calculator_input_names_the_field(db, change, field):
    payload = {"metric_type": "proportion", "baseline_rate": 0.05, "mde_value": 0.1,
               "mde_type": "relative", "alpha": 0.05, "power": 0.8, **change}  # fmt: skip
    response = client_for().post(AB, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert "NaN" not in response.content.decode() and "Infinity" not in response.content.decode()
