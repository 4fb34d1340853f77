"""Structured fields, revisions, compare, restore and presence through the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.documents.models import Presence, Revision
from apps.documents.services import section_save
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema, load_canonical
from tests.factories import make_document


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def design(team_a, alice):
    """A document whose sections carry the real canonical schemas."""
    canonical = load_canonical()
    template = DesignTemplate.objects.create(key="t", version=1, title="T", content_hash="t")
    for position, group in enumerate(["metrics", "data", "serving", "ab_test"]):
        SectionSpec.objects.create(
            template=template,
            key=group,
            position=position,
            title=group.title(),
            fields={group: "*"},
            required_fields=[f"{group}.{next(iter(canonical[group]['properties']))}"],
            field_schema=compose_section_schema({group: "*"}, canonical),
        )
    return make_document(team_a, alice, template=template)


def url(name, doc, *args):
    return reverse(f"api:{name}", args=[doc.pk, *args])


def save(user, doc, key, payload, version=1):
    return client_for(user).patch(
        url("section-detail", doc, key), payload, format="json", HTTP_IF_MATCH=f'"{version}"'
    )


def test_fields_and_body_are_saved_together_with_a_revision(alice, design):
    data = {"serving": {"mode": "online", "latency_breakdown": [{"stage": "s", "p99_ms": 9}]}}
    response = save(alice, design, "serving", {"body_md": "Online.", "data": data})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == data and body["body_md"] == "Online."
    assert body["completeness"] == {"filled": 1, "total": 1}
    revision = Revision.objects.get(section__key="serving", version=2)
    assert revision.data == data and revision.body_md == "Online."


def test_saving_only_fields_keeps_the_body(alice, design):
    save(alice, design, "serving", {"body_md": "Keep me."})
    response = save(alice, design, "serving", {"data": {"serving": {"mode": "batch"}}}, 2)
    assert response.json()["body_md"] == "Keep me."


BIG_ROWS = [{"name": f"m{i}", "kind": "online"} for i in range(10_000)]


@pytest.mark.parametrize(
    ("key", "data", "path"),
    [
        ("serving", {"serving": {"mode": 3}}, "serving.mode"),
        ("metrics", {"metrics": {"items": [{"name": "ctr", "kind": "revenue"}]}},
         "metrics.items.0.kind"),
        ("serving", {"serving": {"latency_breakdown": [{"stage": "x", "p99_ms": -1}]}},
         "serving.latency_breakdown.0.p99_ms"),
        ("ab_test", {"ab_test": {"alpha": 2}}, "ab_test.alpha"),
        ("ab_test", {"ab_test": {"allocation": {"control": 1.5}}}, "ab_test.allocation.control"),
        ("metrics", {"metrics": {"items": BIG_ROWS}}, "metrics.items"),
        ("metrics", {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}},
         "metrics.items.0.dataset"),
        ("ab_test", {"ab_test": {"primary_metric": "ctr"}}, "ab_test.primary_metric"),
        ("data", {"data": {"collection": "x" * 300_000}}, "data.collection"),
    ],
)  # fmt: skip
def test_a_bad_field_is_a_400_naming_its_path_and_nothing_is_saved(alice, design, key, data, path):
    response = save(alice, design, key, {"data": data})
    assert response.status_code == 400, response.content
    assert path in response.json()["errors"], response.json()
    section = design.sections.get(key=key)
    assert (section.version, section.data) == (1, {})
    assert not Revision.objects.exists()


def test_a_reference_to_a_declared_split_is_accepted(alice, design):
    save(alice, design, "data", {"data": {"data": {"split": {"splits": [{"name": "test"}]}}}})
    metric = {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}}
    assert save(alice, design, "metrics", {"data": metric}).status_code == 200


def test_a_document_lists_each_sections_version_and_completeness(alice, design):
    save(alice, design, "serving", {"data": {"serving": {"mode": "online"}}})
    sections = client_for(alice).get(url("document-detail", design)).json()["sections"]
    serving = next(s for s in sections if s["key"] == "serving")
    assert (serving["version"], serving["completeness"]) == (2, {"filled": 1, "total": 1})


@pytest.fixture
def history(design, alice, eddie):
    section = design.sections.select_related("spec", "document").get(key="serving")
    section_save(section=section, body_md="one\ntwo", data={"serving": {"mode": "batch"}},
                 author=alice)  # fmt: skip
    section_save(section=section, body_md="one\nTWO", data={"serving": {"mode": "online"}},
                 author=eddie)  # fmt: skip
    return design


@pytest.mark.parametrize(
    ("name", "status"),
    [("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)],
)
def test_revisions_are_listed_to_members_newest_first(cast, history, name, status):
    response = client_for(cast[name]).get(url("section-revisions", history, "serving"))
    assert response.status_code == status
    if status == 200:
        results = response.json()["results"]
        assert [(r["version"], r["author"]) for r in results] == [(3, "eddie"), (2, "alice")]


def test_the_document_activity_lists_every_save(alice, history):
    save(alice, history, "metrics", {"body_md": "m"})
    results = client_for(alice).get(url("document-revisions", history)).json()["results"]
    assert [(r["section"], r["version"]) for r in results] == [
        ("metrics", 2),
        ("serving", 3),
        ("serving", 2),
    ]


def test_anonymous_cannot_read_revisions(history):
    assert client_for().get(url("document-revisions", history)).status_code in (401, 403)


def test_one_revision_has_its_body_and_fields(alice, history):
    body = client_for(alice).get(url("section-revision", history, "serving", 2)).json()
    assert body["body_md"] == "one\ntwo" and body["data"] == {"serving": {"mode": "batch"}}
    missing = client_for(alice).get(url("section-revision", history, "serving", 9))
    assert missing.status_code == 404


def test_compare_shows_changed_lines_and_field_paths(alice, history):
    response = client_for(alice).get(
        url("section-revision-compare", history, "serving"), {"from": 2, "to": 3}
    )
    body = response.json()
    changed = [(line["kind"], line["text"]) for line in body["text"] if line]
    assert ("removed", "two") in changed and ("added", "TWO") in changed
    assert body["fields"] == [
        {"path": "serving.mode", "kind": "changed", "old": "batch", "new": "online"}
    ]


@pytest.mark.parametrize("query", [{}, {"from": "x", "to": 3}, {"from": 0, "to": 3}])
def test_compare_needs_two_versions(alice, history, query):
    response = client_for(alice).get(url("section-revision-compare", history, "serving"), query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "status"),
    [("carol", 404), ("victor", 403), ("bob", 403), ("eddie", 200), ("alice", 200)],
)
def test_restoring_a_revision_is_a_new_save_for_editors(cast, history, name, status):
    response = client_for(cast[name]).post(
        url("section-revision-restore", history, "serving", 2), HTTP_IF_MATCH='"3"'
    )
    assert response.status_code == status
    section = history.sections.get(key="serving")
    if status == 200:
        assert (section.version, section.body_md) == (4, "one\ntwo")
        assert section.data == {"serving": {"mode": "batch"}}
        assert response["ETag"] == '"4"'
    else:
        assert section.version == 3


@pytest.mark.parametrize(("if_match", "status"), [(None, 428), ('"2"', 412)])
def test_restore_needs_the_current_version(alice, history, if_match, status):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    response = client_for(alice).post(
        url("section-revision-restore", history, "serving", 2), **headers
    )
    assert response.status_code == status
    assert history.sections.get(key="serving").version == 3
    assert Revision.objects.count() == 2


def test_presence_shows_who_else_is_here_and_what_they_edit(alice, eddie, design):
    client_for(eddie).post(url("document-presence", design), {"section": "serving"}, format="json")
    body = client_for(alice).post(url("document-presence", design), {}, format="json").json()
    assert [(o["username"], o["section"]) for o in body["others"]] == [("eddie", "serving")]
    assert {s["key"]: s["version"] for s in body["sections"]}["serving"] == 1
    mine = client_for(eddie).get(url("document-presence", design)).json()
    assert [o["username"] for o in mine["others"]] == ["alice"]


def test_presence_forgets_people_after_a_minute(alice, eddie, design):
    client_for(eddie).post(url("document-presence", design), {}, format="json")
    Presence.objects.update(last_seen=timezone.now() - timedelta(seconds=61))
    assert client_for(alice).get(url("document-presence", design)).json()["others"] == []


def test_a_viewer_is_shown_reading_even_if_they_claim_a_section(alice, victor, design):
    client_for(victor).post(url("document-presence", design), {"section": "serving"}, format="json")
    others = client_for(alice).get(url("document-presence", design)).json()["others"]
    assert [(o["username"], o["section"]) for o in others] == [("victor", "")]


def test_presence_refuses_an_unknown_section_and_outsiders(alice, carol, design):
    response = client_for(alice).post(url("document-presence", design), {"section": "nope"},
                                      format="json")  # fmt: skip
    assert response.status_code == 400 and "section" in response.json()["errors"]
    assert client_for(carol).get(url("document-presence", design)).status_code == 404
    assert not Presence.objects.exists()


@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_an_infinite_number_is_a_400_not_a_crash(alice, design, number):
    body = '{"data": {"ab_test": {"baseline_mean": ' + number + "}}}"
    response = client_for(alice).patch(
        url("section-detail", design, "ab_test"),
        body,
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "data" in response.json()["errors"]
    assert design.sections.get(key="ab_test").version == 1
