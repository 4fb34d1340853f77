"""The library pages: browse and search, read an example, clone it, compare with it."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.documents.models import Document
from apps.library.models import Example
from tests.factories import make_document


def text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def login(client, user):
    client.force_login(user)


@pytest.mark.django_db
def test_the_library_is_public_and_lists_every_published_example(client, two_examples):
    response = client.get(reverse("library:list"))
    assert response.status_code == 200
    page = text(response)
    assert "2 examples" in page
    for example in two_examples:
        assert example.title in page
    assert "Ads" in page and "binary classification" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"domain": "Subscriptions"}, {"churn-copy"}),
        ({"serving_mode": "online"}, {"ctr-ads"}),
        ({"task_type": "binary_classification"}, {"ctr-ads", "churn-copy"}),
        ({"template": "ml_system_design"}, {"ctr-ads", "churn-copy"}),
        ({"q": "churn copy"}, {"churn-copy"}),
        # Full text: a word only in a section body or a field of the file.
        ({"q": "eCPM"}, {"ctr-ads", "churn-copy"}),
        ({"q": "zebra-unicorn"}, set()),
        ({"domain": "not-a-domain"}, {"ctr-ads", "churn-copy"}),
    ],
)
def test_filters_and_search_narrow_the_library(client, two_examples, query, expected):
    response = client.get(reverse("library:list"), query)
    assert response.status_code == 200
    listed = {
        a["href"].rstrip("/").rsplit("/", 1)[-1]
        for a in BeautifulSoup(response.content, "html.parser").select(".example-card h2 a")
    }
    assert listed == expected
    if not expected:
        assert "No example matches" in text(response)


@pytest.mark.django_db
def test_an_empty_library_says_how_to_load_it(client, templates):
    assert "load_library" in text(client.get(reverse("library:list")))


@pytest.mark.django_db
def test_an_example_reads_like_a_document_with_its_green_checklist(client, two_examples):
    ctr, _ = two_examples
    response = client.get(reverse("library:detail", args=[ctr.slug]))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert [h.get_text(" ", strip=True) for h in soup.select(".doc-section h2")][:3] == [
        "1. Problem & business goal",
        "2. Requirements & constraints",
        "3. Metrics",
    ]
    counts = {li["class"][1]: li.strong.get_text() for li in soup.select(".checklist-counts li")}
    assert counts["count--error"] == "0" and counts["count--warning"] == "0"
    assert soup.select(".doc-fields__table")
    assert "Log in to use this example" in text(response)
    assert not soup.select("form[action$='/clone/']")


@pytest.mark.django_db
def test_an_unknown_or_unpublished_example_is_404(client, two_examples):
    assert client.get(reverse("library:detail", args=["nope"])).status_code == 404
    Example.objects.filter(slug="ctr-ads").update(is_published=False)
    assert client.get(reverse("library:detail", args=["ctr-ads"])).status_code == 404


@pytest.mark.django_db
def test_the_example_page_runs_a_fixed_number_of_queries(client, two_examples, alice, team_a):
    login(client, alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("library:detail", args=["ctr-ads"]))
    assert len(queries) <= 7, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_an_editor_clones_an_example_into_their_team(client, two_examples, eddie, team_a):
    login(client, eddie)
    response = client.post(
        reverse("library:clone", args=["ctr-ads"]), {"team": team_a.pk, "title": "Our CTR"}
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert (document.team, document.created_by, document.title) == (team_a, eddie, "Our CTR")
    assert not document.sections.filter(body_md="", data={}).exclude(key="appendix").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("victor", 403), ("bob", 403), ("carol", 404)])
def test_only_editors_and_owners_of_the_team_clone_into_it(
    client, two_examples, cast, team_a, who, status
):
    login(client, cast[who])
    response = client.post(reverse("library:clone", args=["ctr-ads"]), {"team": team_a.pk})
    assert response.status_code == status
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_clone_needs_a_login_and_a_valid_team(client, two_examples, alice, team_a):
    url = reverse("library:clone", args=["ctr-ads"])
    assert client.post(url, {"team": team_a.pk}).status_code == 302
    login(client, alice)
    response = client.post(url, {"team": "not-a-uuid", "title": "x" * 300})
    assert response.status_code == 400
    assert "Enter a valid UUID" in text(response)
    assert "at most 200 characters" in text(response)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_compare_shows_my_document_and_the_example_section_by_section(
    client, two_examples, alice, team_a
):
    mine = make_document(team_a, alice, title="My draft")
    login(client, alice)
    response = client.get(reverse("library:compare"), {"document": mine.pk, "example": "ctr-ads"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    rows = soup.select(".compare__row:not(.compare__row--head)")
    assert len(rows) == mine.sections.count()
    assert "My draft" in text(response) and two_examples[0].title in text(response)


@pytest.mark.django_db
def test_compare_matches_sections_of_another_template_by_their_canonical_groups(
    client, two_examples, alice, team_a
):
    from apps.documents.services import document_create
    from apps.templates_catalog.models import DesignTemplate

    interview = DesignTemplate.objects.get(key="interview_45", is_latest=True)
    mine = document_create(team=team_a, template=interview, title="Mock", created_by=alice)
    login(client, alice)
    response = client.get(reverse("library:compare"), {"document": mine.pk, "example": "ctr-ads"})
    soup = BeautifulSoup(response.content, "html.parser")
    pairs = [
        [h.get_text(strip=True) for h in row.select(".compare__title")]
        for row in soup.select(".compare__row:not(.compare__row--head)")
    ]
    assert ["Metrics", "Metrics"] in pairs
    assert any(
        pair[0].startswith("Clarify") and pair[1] == "Problem & business goal" for pair in pairs
    )


@pytest.mark.django_db
def test_compare_with_another_teams_document_is_404(client, two_examples, carol, team_a, alice):
    theirs = make_document(team_a, alice)
    login(client, carol)
    response = client.get(reverse("library:compare"), {"document": theirs.pk, "example": "ctr-ads"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_compare_without_a_choice_offers_the_chooser_and_bad_input_is_400(
    client, two_examples, alice, team_a
):
    login(client, alice)
    assert "no document to compare" in text(client.get(reverse("library:compare")))
    make_document(team_a, alice)
    assert client.get(reverse("library:compare")).status_code == 200
    assert client.get(reverse("library:compare"), {"document": "x"}).status_code == 400
    assert client.get(reverse("library:compare")).status_code == 200
    anonymous = client.__class__()
    assert anonymous.get(reverse("library:compare")).status_code == 302


@pytest.mark.django_db
def test_the_library_page_runs_the_same_queries_for_one_example_or_eight(client, library):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("library:list")).status_code == 200
        return len(captured)

    eight = queries()
    Example.objects.exclude(slug="ctr-ads").update(is_published=False)
    assert queries() == eight
