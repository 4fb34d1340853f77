"""The public template pages: the gallery and one template's sections."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema, load_canonical
from tests.factories import make_template


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return " ".join(page(response).get_text(" ").split())


@pytest.fixture
def interview(db):
    """A two-block timed template whose sections write canonical fields."""
    template = DesignTemplate.objects.create(
        key="interview_45",
        version=1,
        title="Interview practice (45 min)",
        description="A timed view for mock interviews.",
        audience="Interview candidates",
        content_hash="i-1",
        position=1,
    )
    SectionSpec.objects.create(
        template=template,
        key="clarify",
        position=0,
        title="Clarify the problem",
        purpose="Restate the task and fix the envelope.",
        guiding_questions=["Did I understand correctly that …?"],
        fields={"problem": ["business_goal", "ml_objective"], "requirements": ["scale"]},
        field_schema=compose_section_schema(
            {"problem": ["business_goal", "ml_objective"], "requirements": ["scale"]},
            load_canonical(),
        ),
        required_fields=["problem.business_goal"],
        meta={"time_budget_min": 5},
    )
    SectionSpec.objects.create(
        template=template,
        key="metrics",
        position=1,
        title="Metrics",
        purpose="Business, online and offline metrics.",
        required=False,
        meta={"time_budget_min": 4},
    )
    return template


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_the_gallery_is_public_and_lists_every_template_with_its_sections(
    client, interview, alice, who
):
    make_template("tiny", sections=2)
    if who == "alice":
        client.force_login(alice)
    response = client.get(reverse("templates_catalog:gallery"))
    assert response.status_code == 200
    body = text(response)
    assert "Interview practice (45 min)" in body
    assert "Clarify the problem" in body
    assert "Template tiny" in body
    assert "Section 1" in body


def test_the_gallery_offers_to_start_a_document_from_each_template(client, interview):
    response = client.get(reverse("templates_catalog:gallery"))
    start = f"{reverse('documents:create')}?template=interview_45"
    assert page(response).find("a", href=start)


def test_the_gallery_shows_only_the_latest_version_of_a_template(client, db):
    make_template("mlsd", version=1, sections=1)
    DesignTemplate.objects.filter(key="mlsd").update(is_latest=False, title="Old title")
    make_template("mlsd", version=2, sections=1)
    body = text(client.get(reverse("templates_catalog:gallery")))
    assert "Template mlsd" in body
    assert "Old title" not in body


def test_an_empty_gallery_says_how_templates_get_loaded(client, db):
    response = client.get(reverse("templates_catalog:gallery"))
    assert response.status_code == 200
    assert "load_templates" in text(response)


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_a_template_page_is_public(client, interview, alice, who):
    if who == "alice":
        client.force_login(alice)
    response = client.get(reverse("templates_catalog:detail", args=["interview_45"]))
    assert response.status_code == 200


def test_a_template_page_lists_sections_in_order_with_their_guidance(client, interview):
    response = client.get(reverse("templates_catalog:detail", args=["interview_45"]))
    soup = page(response)
    titles = [h2.get_text(strip=True) for h2 in soup.select(".spec h2")]
    assert titles == ["Clarify the problem", "Metrics"]
    body = text(response)
    assert "Restate the task and fix the envelope." in body
    assert "Did I understand correctly that …?" in body
    assert "Required" in body
    assert "Optional" in body


def test_a_template_page_shows_the_fields_each_section_writes(client, interview):
    response = client.get(reverse("templates_catalog:detail", args=["interview_45"]))
    chips = {chip.get_text(" ", strip=True) for chip in page(response).select(".chip")}
    assert chips == {"Business goal (required)", "ML objective", "Scale"}


def test_a_timed_template_shows_the_time_budget_of_each_block(client, interview):
    body = text(client.get(reverse("templates_catalog:detail", args=["interview_45"])))
    assert "5 minutes" in body
    assert "4 minutes" in body
    assert "9 minutes in total" in body


def test_an_unknown_template_key_is_not_found(client, db):
    response = client.get(reverse("templates_catalog:detail", args=["no-such-template"]))
    assert response.status_code == 404
    assert "We could not find that page" in text(response)
