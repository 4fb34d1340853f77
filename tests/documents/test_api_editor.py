"""Structured fields, revisions, compare, restore and presence through the API."""

import json
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


# --- more bad input --------------------------------------------------------------------------


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_fields_over_the_size_limit_are_a_400_on_data_and_nothing_is_saved(alice, design):
    # Every row is valid on its own; together they pass the 200 kB limit for a section's fields.
    rows = [{"name": f"m{i}", "kind": "online", "definition": "x" * 5_000} for i in range(45)]
    response = save(alice, design, "metrics", {"data": {"metrics": {"items": rows}}})
    assert response.status_code == 400, response.content
    assert "limit" in response.json()["errors"]["data"][0]
    section = design.sections.get(key="metrics")
    assert (section.version, section.data) == (1, {})
    assert not Revision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        r'{"serving": {"mode": "a\u0000b"}}',
        r'{"serving\u0000": {}}',
        r'{"serving": {"mode": "\ud800"}}',
        json.dumps({"serving": {"components": nested(40)}}),
    ],
    ids=["null character", "null character in a key", "lone surrogate", "nested too deeply"],
)
def test_fields_the_database_cannot_store_are_a_400_on_data(alice, design, data):
    # Sent as raw JSON text: the test client cannot encode a lone surrogate itself.
    response = client_for(alice).patch(
        url("section-detail", design, "serving"),
        f'{{"data": {data}}}',
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["data"]
    assert design.sections.get(key="serving").version == 1


def test_a_body_nested_hundreds_of_levels_deep_is_a_400_not_a_crash(alice, design):
    deep = '{"data": {"serving": ' + "[" * 600 + "]" * 600 + "}}"
    response = client_for(alice).patch(
        url("section-detail", design, "serving"),
        deep,
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert response.json()["errors"]["data"]


def test_a_stale_save_of_fields_keeps_the_current_fields_and_writes_no_revision(
    alice, eddie, design
):
    assert (
        save(eddie, design, "serving", {"data": {"serving": {"mode": "batch"}}}).status_code == 200
    )
    response = save(alice, design, "serving", {"data": {"serving": {"mode": "online"}}}, 1)
    assert response.status_code == 412
    assert response.json()["current"]["data"] == {"serving": {"mode": "batch"}}
    assert response.json()["errors"] == {}
    section = design.sections.get(key="serving")
    assert (section.version, section.data) == (2, {"serving": {"mode": "batch"}})
    assert Revision.objects.count() == 1


def test_a_save_of_fields_without_if_match_is_a_428_and_saves_nothing(alice, design):
    response = client_for(alice).patch(
        url("section-detail", design, "serving"),
        {"data": {"serving": {"mode": "online"}}},
        format="json",
    )
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert design.sections.get(key="serving").data == {}
    assert not Revision.objects.exists()


def test_the_api_ignores_a_base_version_in_the_body_if_match_decides(alice, design):
    stale_in_body = {"body_md": "x", "base_version": 99}
    assert save(alice, design, "serving", stale_in_body, 1).status_code == 200
    current_in_body = {"body_md": "y", "base_version": 2}
    assert save(alice, design, "serving", current_in_body, 1).status_code == 412


@pytest.mark.parametrize("if_match", ["\u00b2", "\u0661", "*", '"1", "2"', '"1'])
def test_an_if_match_that_is_not_one_version_is_a_400(alice, design, if_match):
    response = client_for(alice).patch(
        url("section-detail", design, "serving"),
        {"body_md": "x"},
        format="json",
        HTTP_IF_MATCH=if_match,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["If-Match"]
    assert design.sections.get(key="serving").version == 1


@pytest.mark.parametrize("if_none_match", ['"1"', 'W/"1"', '"7", "1"', "*"])
def test_a_get_naming_the_current_version_is_a_304(alice, design, if_none_match):
    response = client_for(alice).get(
        url("section-detail", design, "serving"), HTTP_IF_NONE_MATCH=if_none_match
    )
    assert response.status_code == 304
    assert response["ETag"] == '"1"'


def test_a_get_naming_an_old_version_has_the_section_and_its_schema(alice, design):
    save(alice, design, "serving", {"data": {"serving": {"mode": "online"}}})
    response = client_for(alice).get(
        url("section-detail", design, "serving"), HTTP_IF_NONE_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["data"] == {"serving": {"mode": "online"}}
    assert body["completeness"] == {"filled": 1, "total": 1}
    assert body["required_fields"] == ["serving.mode"]
    assert body["field_schema"]["properties"]["serving"]["properties"]["mode"]["enum"]


# --- the ladder for history and presence -----------------------------------------------------

READ_ENDPOINTS = {
    "document-revisions": lambda doc: url("document-revisions", doc),
    "section-revisions": lambda doc: url("section-revisions", doc, "serving"),
    "section-revision": lambda doc: url("section-revision", doc, "serving", 2),
    "section-revision-compare": lambda doc: (
        url("section-revision-compare", doc, "serving") + "?from=2&to=3"
    ),
    "document-presence": lambda doc: url("document-presence", doc),
}


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS)
def test_anonymous_cannot_read_history_or_presence(history, endpoint):
    response = client_for().get(READ_ENDPOINTS[endpoint](history))
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS)
@pytest.mark.parametrize(
    ("name", "status"),
    [("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)],
)
def test_history_and_presence_are_readable_by_every_member_and_nobody_else(
    cast, history, endpoint, name, status
):
    response = client_for(cast[name]).get(READ_ENDPOINTS[endpoint](history))
    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == {"detail": "Not found.", "errors": {}}


def test_anonymous_cannot_restore_a_revision(history):
    response = client_for().post(
        url("section-revision-restore", history, "serving", 2), HTTP_IF_MATCH='"3"'
    )
    assert response.status_code in (401, 403)
    assert history.sections.get(key="serving").version == 3
    assert Revision.objects.count() == 2


def test_anonymous_cannot_beat(design):
    response = client_for().post(url("document-presence", design), {}, format="json")
    assert response.status_code in (401, 403)
    assert not Presence.objects.exists()


@pytest.mark.parametrize(
    ("name", "status"),
    [("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)],
)
def test_every_member_and_nobody_else_can_beat(cast, design, name, status):
    response = client_for(cast[name]).post(url("document-presence", design), {}, format="json")
    assert response.status_code == status
    assert Presence.objects.filter(user=cast[name]).exists() == (status == 200)


# --- revisions -------------------------------------------------------------------------------


def test_a_revision_says_who_saved_which_section_and_never_shows_a_primary_key(alice, history):
    listed = client_for(alice).get(url("document-revisions", history)).json()["results"][0]
    assert set(listed) == {"section", "section_title", "version", "author", "created_at"}
    assert (listed["section"], listed["section_title"]) == ("serving", "Serving")
    one = client_for(alice).get(url("section-revision", history, "serving", 3)).json()
    assert set(one) == {*listed, "body_md", "data"}
    assert one["author"] == "eddie"


def test_the_activity_feed_is_paginated(alice, history):
    page = client_for(alice).get(url("document-revisions", history), {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_a_version_of_another_section_is_not_found(alice, history):
    assert client_for(alice).get(url("section-revision", history, "metrics", 2)).status_code == 404
    assert client_for(alice).get(url("section-revisions", history, "nope")).status_code == 404


@pytest.mark.parametrize(("old", "new"), [(2, 9), (9, 3), (2**31 - 1, 3)])
def test_compare_with_an_unknown_version_is_a_404(alice, history, old, new):
    response = client_for(alice).get(
        url("section-revision-compare", history, "serving"), {"from": old, "to": new}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("version", [2**31, 10**30])
def test_an_absurd_version_is_a_400_in_compare_and_a_404_in_a_path(alice, history, version):
    client = client_for(alice)
    compare = client.get(
        url("section-revision-compare", history, "serving"), {"from": version, "to": 3}
    )
    assert compare.status_code == 400 and compare.json()["errors"]["from"]
    assert client.get(url("section-revision", history, "serving", version)).status_code == 404
    restore = client.post(
        url("section-revision-restore", history, "serving", version), HTTP_IF_MATCH='"3"'
    )
    assert restore.status_code == 404


def test_compare_names_the_missing_or_bad_parameters(alice, history):
    response = client_for(alice).get(
        url("section-revision-compare", history, "serving"), {"from": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"from", "to"}


def test_compare_of_fields_lists_added_and_removed_paths(alice, history):
    section = history.sections.select_related("spec", "document").get(key="serving")
    section_save(section=section, body_md="one\nTWO", author=alice,
                 data={"serving": {"batch_schedule": "daily"}})  # fmt: skip
    body = (
        client_for(alice)
        .get(url("section-revision-compare", history, "serving"), {"from": 3, "to": 4})
        .json()
    )
    assert [line for line in body["text"] if line and line["kind"] != "same"] == []
    assert body["fields"] == [
        {"path": "serving.batch_schedule", "kind": "added", "old": "", "new": "daily"},
        {"path": "serving.mode", "kind": "removed", "old": "online", "new": ""},
    ]


def test_restore_writes_one_revision_equal_to_the_old_one(eddie, history):
    response = client_for(eddie).post(
        url("section-revision-restore", history, "serving", 2), HTTP_IF_MATCH='W/"3"'
    )
    assert response.status_code == 200
    assert response.json()["version"] == 4 and response.json()["updated_by"] == "eddie"
    old, new = Revision.objects.filter(version__in=[2, 4]).order_by("version")
    assert (new.body_md, new.data, new.author) == (old.body_md, old.data, eddie)
    assert Revision.objects.count() == 3


def test_a_stale_restore_answers_with_the_current_section(alice, history):
    response = client_for(alice).post(
        url("section-revision-restore", history, "serving", 2), HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 412
    assert response["ETag"] == '"3"'
    assert response.json()["current"]["body_md"] == "one\nTWO"


def test_restoring_an_unknown_version_is_a_404_and_writes_nothing(alice, history):
    response = client_for(alice).post(
        url("section-revision-restore", history, "serving", 9), HTTP_IF_MATCH='"3"'
    )
    assert response.status_code == 404
    assert Revision.objects.count() == 2


# --- presence --------------------------------------------------------------------------------


def test_alone_on_a_document_i_see_nobody_else(alice, design):
    body = client_for(alice).post(url("document-presence", design), {}, format="json").json()
    assert body["others"] == []
    assert Presence.objects.filter(user=alice).exists()


@pytest.mark.parametrize("name", ["victor", "bob"])
def test_members_who_cannot_edit_are_shown_reading(cast, alice, design, name):
    client_for(cast[name]).post(
        url("document-presence", design), {"section": "serving"}, format="json"
    )
    others = client_for(alice).get(url("document-presence", design)).json()["others"]
    assert [(o["username"], o["section"]) for o in others] == [(name, "")]


def test_presence_lets_a_reader_notice_a_save_by_someone_else(alice, eddie, design):
    save(eddie, design, "serving", {"body_md": "New plan."})
    sections = client_for(alice).get(url("document-presence", design)).json()["sections"]
    serving = next(s for s in sections if s["key"] == "serving")
    assert (serving["version"], serving["updated_by"]) == (2, "eddie")
    assert serving["updated_at"]


def test_a_later_beat_moves_me_to_another_section(alice, eddie, design):
    client = client_for(eddie)
    client.post(url("document-presence", design), {"section": "serving"}, format="json")
    client.post(url("document-presence", design), {"section": "metrics"}, format="json")
    others = client_for(alice).get(url("document-presence", design)).json()["others"]
    assert [(o["username"], o["section"]) for o in others] == [("eddie", "metrics")]
    assert Presence.objects.filter(user=eddie).count() == 1


@pytest.mark.parametrize("payload", [{"section": None}, {"section": "not a slug"}, ["serving"]])
def test_a_malformed_beat_is_a_400(alice, design, payload):
    response = client_for(alice).post(url("document-presence", design), payload, format="json")
    assert response.status_code == 400
    assert not Presence.objects.exists()
