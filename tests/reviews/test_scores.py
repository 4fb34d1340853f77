"""Rubric scoring of a document: who scores, validation, caps from findings, the page."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from apps.checklists.services import waiver_create
from apps.reviews import selectors, services
from apps.reviews.models import AuditEvent, Scorecard
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_doc(team_a, alice):
    """A document from the full template: empty, so the checklist has errors that cap."""
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    return make_document(team_a, alice, template=template, title="Feed ranking")


def every(value, **overrides):
    keys = [
        "problem", "requirements", "metrics", "entities", "data", "baseline", "model",
        "serving", "monitoring", "ab_test", "risks", "progression", "tradeoffs",
    ]  # fmt: skip
    return {
        k: {"score": overrides.get(k, value), "comment": "Because.", "lift_cap": False}
        for k in keys
    }


def test_a_reviewer_scores_and_the_total_applies_the_checklists_caps(full_doc, bob):
    card = services.scorecard_save(document=full_doc, scorer=bob, entries=every(2))
    [result] = [c.result for c in selectors.document_scorecards(full_doc)]
    capped = {r.criterion.key for r in result.criteria if r.is_capped}
    assert capped, "an empty document has errors that cap criteria at 1"
    assert result.total < 66.7 and result.complete and result.band
    assert card.entries["problem"] == {"score": 2, "comment": "Because.", "lift_cap": False}
    assert AuditEvent.objects.filter(action="scores_saved", actor=bob).count() == 1


def test_waiving_the_findings_removes_their_cap(full_doc, bob):
    services.scorecard_save(document=full_doc, scorer=bob, entries=every(2))
    before = selectors.document_scorecards(full_doc)[0].result
    assert {r.criterion.key: r.applied for r in before.criteria}["model"] == 1
    model_errors = {
        f["rule_id"]
        for f in selectors.unwaived_findings(full_doc)
        if f["section"] == "model" and f["severity"] == "error"
    }
    for rule_id in model_errors:
        waiver_create(
            document=full_doc,
            user=bob,
            rule_id=rule_id,
            section="model",
            reason="The model is chosen in the next design review.",
        )
    after = selectors.document_scorecards(full_doc)[0].result
    assert {r.criterion.key: r.applied for r in after.criteria}["model"] == 2
    assert after.total > before.total


def test_the_author_and_viewers_cannot_score(full_doc, alice, victor):
    for user in (alice, victor):
        with pytest.raises(PermissionDenied):
            services.scorecard_save(document=full_doc, scorer=user, entries=every(2))
    assert not Scorecard.objects.exists()


def test_low_scores_need_a_comment_and_nothing_is_saved_otherwise(full_doc, bob):
    entries = every(2) | {"risks": {"score": 1, "comment": "", "lift_cap": False}}
    with pytest.raises(ValidationError) as excinfo:
        services.scorecard_save(document=full_doc, scorer=bob, entries=entries)
    assert excinfo.value.message_dict == {"risks": ["Explain a score of 0 or 1 in a comment."]}
    assert not Scorecard.objects.exists() and not AuditEvent.objects.exists()


def test_a_template_without_a_rubric_cannot_be_scored(doc, bob):
    with pytest.raises(ValidationError):
        services.scorecard_save(document=doc, scorer=bob, entries={})


def test_the_scores_page_ladder(client, cast, full_doc):
    path = f"/documents/{full_doc.pk}/review/scores/"
    assert client.get(path).status_code == 302
    client.force_login(cast["carol"])
    assert client.get(path).status_code == 404
    client.force_login(cast["victor"])
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    assert not soup.select_one("form.scorecard"), "viewers read scores but do not score"
    client.force_login(cast["bob"])
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    assert len(soup.select("form.scorecard fieldset.criterion")) == 13


@pytest.mark.parametrize("who", ["victor", "alice"])
def test_a_post_from_who_may_not_score_is_refused_and_saves_nothing(client, cast, full_doc, who):
    client.force_login(cast[who])  # a viewer; the author (and team owner)
    path = f"/documents/{full_doc.pk}/review/scores/"
    response = client.post(path, {"score_problem": "2", "score_metrics": "2"})
    assert response.status_code == 403
    assert "never the author" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_scoring_on_the_page_keeps_the_input_when_a_comment_is_missing(client, bob, full_doc):
    client.force_login(bob)
    path = f"/documents/{full_doc.pk}/review/scores/"
    response = client.post(path, {"score_problem": "0", "score_metrics": "2"})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    error = soup.select_one("#criterion-problem .field__errors")
    assert "Explain a score of 0 or 1" in error.text
    assert soup.select_one('input[name="score_metrics"][value="2"]').has_attr("checked")
    assert not Scorecard.objects.exists()
    response = client.post(
        path, {"score_problem": "0", "comment_problem": "No goal.", "score_metrics": "2"}
    )
    assert response.status_code == 302
    card = Scorecard.objects.get()
    assert card.entries == {
        "problem": {"score": 0, "comment": "No goal.", "lift_cap": False},
        "metrics": {"score": 2, "comment": "", "lift_cap": False},
    }
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    assert soup.select_one(".score-matrix thead").text.count("bob") == 1


def test_scoring_through_the_api(full_doc, bob, victor):
    api = APIClient()
    api.force_authenticate(bob)
    path = f"/api/v1/documents/{full_doc.pk}/scores/"
    response = api.put(
        path,
        {"entries": {"problem": {"score": 0, "comment": "No goal."}, "metrics": {"score": 2}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = {r["criterion"]: r for r in body["criteria"]}
    assert rows["problem"]["applied"] == 0 and rows["metrics"]["score"] == 2
    assert rows["metrics"]["applied"] == min(2, rows["metrics"]["cap"] or 3)
    assert body["comments"] == {"problem": "No goal."} and not body["complete"]
    bad = api.put(path, {"entries": {"problem": {"score": 1}}}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"] == {
        "problem": ["Explain a score of 0 or 1 in a comment."]
    }
    api.force_authenticate(victor)
    assert api.put(path, {"entries": {}}, format="json").status_code == 403
    assert [c["scorer"] for c in api.get(path).json()] == ["bob"]
