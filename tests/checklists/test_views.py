"""The checklist panel, waivers from the page, the document page's badges and the A/B tool."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.checklists import engine
from apps.checklists.models import Waiver
from apps.documents.services import document_create
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all


@pytest.fixture
def design(team_a, alice):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design")
    return document_create(team=team_a, template=template, title="CTR", created_by=alice)


def soup(response):
    return BeautifulSoup(response.content, "html5lib")


@pytest.mark.parametrize(
    ("name", "status"),
    [(None, 302), ("carol", 404), ("victor", 200), ("bob", 200), ("alice", 200)],
)
def test_members_see_the_checklist_panel(client, cast, design, name, status):
    if name:
        client.force_login(cast[name])
    response = client.get(reverse("checklists:panel", args=[design.pk]))
    assert response.status_code == status
    if status == 200:
        page = soup(response)
        assert len(page.select(".rules-table tbody tr")) == 40
        assert page.select_one("#finding-PRB-01-problem")


def test_the_panel_and_the_document_page_never_run_the_rules(client, alice, design, monkeypatch):
    monkeypatch.setattr(engine, "run_checklist", lambda *a: pytest.fail("rules ran on read"))
    client.force_login(alice)
    assert client.get(reverse("checklists:panel", args=[design.pk])).status_code == 200
    page = soup(client.get(reverse("documents:detail", args=[design.pk])))
    assert page.select(".doc-checklist a")[1]["href"] == reverse(
        "checklists:panel", args=[design.pk]
    )
    assert page.select_one('a[href="#sec-problem"] .toc__badge--error')


def test_a_finding_links_to_its_field_in_the_editor(client, alice, design):
    client.force_login(alice)
    page = soup(client.get(reverse("checklists:panel", args=[design.pk])))
    link = page.select_one("#finding-PRB-01-problem a")
    edit = reverse("documents:section_edit", args=[design.pk, "problem"])
    assert link["href"] == f"{edit}?focus=problem.business_goal"


def test_an_owner_waives_an_error_from_the_page(client, alice, design):
    client.force_login(alice)
    url = reverse("checklists:waiver_add", args=[design.pk])
    payload = {"rule_id": "PRB-01", "section": "problem", "reason": "Goal agreed offline."}
    response = client.post(url, payload)
    assert response.status_code == 302
    waiver = Waiver.objects.get()
    page = soup(client.get(reverse("checklists:panel", args=[design.pk])))
    assert "finding--waived" in page.select_one("#finding-PRB-01-problem")["class"]
    remove = reverse("checklists:waiver_remove", args=[design.pk, waiver.pk])
    assert client.post(remove).status_code == 302
    assert not Waiver.objects.exists()


def test_an_editor_is_not_offered_to_waive_an_error_and_cannot(client, eddie, design):
    client.force_login(eddie)
    page = soup(client.get(reverse("checklists:panel", args=[design.pk])))
    assert not page.select_one("#finding-PRB-01-problem form")
    url = reverse("checklists:waiver_add", args=[design.pk])
    payload = {"rule_id": "PRB-01", "section": "problem", "reason": "Nope."}
    assert client.post(url, payload).status_code == 403
    assert not Waiver.objects.exists()


@pytest.mark.parametrize(
    "payload", [{}, {"rule_id": "PRB-01", "section": "problem", "reason": "Hm."}]
)
def test_a_viewer_is_refused_a_waiver_whatever_the_form_holds(client, victor, design, payload):
    client.force_login(victor)
    response = client.post(reverse("checklists:waiver_add", args=[design.pk]), payload)
    assert response.status_code == 403
    assert not Waiver.objects.exists()
