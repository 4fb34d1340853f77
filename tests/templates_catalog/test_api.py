"""The templates API: any signed-in user reads the newest version of every design template."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import make_template

LIST = reverse("api:template-list")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detail_url(key: str) -> str:
    return reverse("api:template-detail", args=[key])


@pytest.fixture
def templates(db):
    """`tiny` in two versions (v2 is the newest) and `other`."""
    old = make_template("tiny", sections=2, version=1)
    old.is_latest = False
    old.save()
    newest = make_template("tiny", sections=3, version=2)
    newest.description = "A tiny template."
    newest.audience = "Candidates"
    newest.save()
    return {"tiny": newest, "other": make_template("other", sections=1)}


def test_anonymous_cannot_list_templates(templates):
    response = client_for().get(LIST)
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


def test_anonymous_cannot_read_a_template(templates):
    assert client_for().get(detail_url("tiny")).status_code in (401, 403)


@pytest.mark.parametrize("name", ["carol", "victor", "alice"])
def test_any_signed_in_user_lists_the_newest_version_of_each_template(cast, templates, name):
    response = client_for(cast[name]).get(LIST)
    assert response.status_code == 200
    body = sorted(response.json(), key=lambda t: t["key"])
    assert body == [
        {
            "key": "other",
            "version": 1,
            "title": "Template other",
            "description": "",
            "audience": "",
            "section_count": 1,
        },
        {
            "key": "tiny",
            "version": 2,
            "title": "Template tiny",
            "description": "A tiny template.",
            "audience": "Candidates",
            "section_count": 3,
        },
    ]


def test_listing_templates_takes_two_queries_however_many_there_are(
    alice, templates, django_assert_num_queries
):
    for n in range(5):
        make_template(f"extra-{n}", sections=4)
    with django_assert_num_queries(2):
        assert len(client_for(alice).get(LIST).json()) == 7


def test_a_template_has_its_sections_in_order_with_their_specs(carol, templates):
    response = client_for(carol).get(detail_url("tiny"))
    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["version"], body["section_count"]) == ("tiny", 2, 3)
    assert [s["key"] for s in body["sections"]] == ["s0", "s1", "s2"]
    assert body["sections"][1] == {
        "key": "s1",
        "title": "Section 1",
        "purpose": "Purpose of section 1.",
        "guiding_questions": ["Question 1.1?", "Question 1.2?"],
        "required": True,
        "fields": {},
        "required_fields": [],
        "field_schema": {"type": "object"},
        "meta": {},
    }


@pytest.mark.parametrize("key", ["nope", "Tiny", "ti-ny"])
def test_an_unknown_template_key_is_a_json_404(alice, templates, key):
    response = client_for(alice).get(detail_url(key))
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_a_key_that_is_not_a_slug_is_a_json_404(alice, templates):
    response = client_for(alice).get("/api/v1/templates/tiny.yaml/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}
