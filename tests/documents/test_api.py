"""The documents API: list, create, read, edit, sections, archive and restore.

Every endpoint climbs the ladder anonymous -> carol (team B) -> victor (viewer) -> bob
(reviewer) -> eddie (editor) -> alice (owner); a denied write leaves the row unchanged.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from apps.documents.models import SECTION_BODY_MAX_CHARS, Document, Revision, Section
from apps.documents.services import document_archive, section_save
from tests.factories import add_member, make_document, make_template

LIST = reverse("api:document-list")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def detail_url(document) -> str:
    return reverse("api:document-detail", args=[document.pk])


def section_url(document, key: str = "s0") -> str:
    return reverse("api:section-detail", args=[document.pk, key])


def assert_error(response, status: int, *fields: str) -> dict:
    """The documented status in the one error shape, naming the fields at fault."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for field in fields:
        assert body["errors"].get(field), body
    return body


def assert_denied_to_anonymous(response) -> None:
    assert response.status_code in (401, 403), response.content
    assert set(response.json()) == {"detail", "errors"}


LADDER_READ = [("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)]
LADDER_WRITE = [("carol", 404), ("victor", 403), ("bob", 403), ("eddie", 200), ("alice", 200)]


@pytest.fixture
def carol_doc(team_b, carol):
    return make_document(team_b, carol, template=make_template("other"), title="Query rewriting")


# --- list ------------------------------------------------------------------------------------


def test_anonymous_cannot_list_documents(doc):
    assert_denied_to_anonymous(client_for().get(LIST))


@pytest.mark.parametrize("name", ["victor", "bob", "eddie", "alice"])
def test_every_member_of_team_a_sees_its_documents_in_the_list(cast, doc, name):
    response = client_for(cast[name]).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == str(doc.pk)
    assert item["title"] == "CTR prediction"
    assert item["team"] == {"id": str(doc.team.pk), "name": "Ads ranking"}
    assert item["template"] == {"key": "tiny", "version": 1, "title": "Template tiny"}
    assert item["created_by"] == "alice"
    assert item["status"] == "draft"
    assert item["archived"] is False
    assert "sections" not in item


def test_carol_does_not_see_team_a_documents_in_her_list(cast, doc, carol_doc):
    body = client_for(cast["carol"]).get(LIST).json()
    assert [item["id"] for item in body["results"]] == [str(carol_doc.pk)]


def test_the_list_is_paginated_with_page_size_and_next(alice, team_a, doc):
    for n in range(4):
        make_document(team_a, alice, template=doc.template, title=f"Doc {n}")
    client = client_for(alice)
    first = client.get(LIST, {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] is not None and "page=2" in first["next"]
    assert first["previous"] is None
    last = client.get(LIST, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    pages = [client.get(LIST, {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    seen = {item["id"] for page in pages for item in page["results"]}
    assert len(seen) == 5


def test_a_page_past_the_end_is_a_json_404(alice, doc):
    assert_error(client_for(alice).get(LIST, {"page": 9}), 404)


def test_the_list_filters_by_team(cast, alice, team_a, team_b, doc):
    # alice also joins team B, so both teams' documents are visible to her.
    add_member(team_b, alice, "editor")
    other = make_document(team_b, alice, template=doc.template, title="In team B")
    client = client_for(alice)
    assert client.get(LIST).json()["count"] == 2
    body = client.get(LIST, {"team": str(team_b.pk)}).json()
    assert [item["id"] for item in body["results"]] == [str(other.pk)]


def test_filtering_by_a_team_i_am_not_in_shows_nothing(alice, doc, team_b, carol_doc):
    body = client_for(alice).get(LIST, {"team": str(team_b.pk)}).json()
    assert body["count"] == 0


def test_the_list_filters_by_status(alice, team_a, doc):
    in_review = make_document(team_a, alice, template=doc.template, title="Under review")
    Document.objects.filter(pk=in_review.pk).update(status=Document.Status.IN_REVIEW)
    body = client_for(alice).get(LIST, {"status": "in_review"}).json()
    assert [item["id"] for item in body["results"]] == [str(in_review.pk)]


def test_the_list_filters_by_template_key(alice, team_a, doc):
    other = make_document(team_a, alice, template=make_template("other"), title="Other")
    body = client_for(alice).get(LIST, {"template": "other"}).json()
    assert [item["id"] for item in body["results"]] == [str(other.pk)]


def test_search_matches_title_summary_and_section_bodies(alice, team_a, doc):
    by_body = make_document(team_a, alice, template=doc.template, title="Fraud detection")
    section_save(
        section=by_body.sections.get(key="s1"), body_md="Uses gradient boosting.", author=alice
    )
    client = client_for(alice)
    assert [i["id"] for i in client.get(LIST, {"q": "ctr"}).json()["results"]] == [str(doc.pk)]
    found = client.get(LIST, {"q": "GRADIENT boosting"}).json()["results"]
    assert [item["id"] for item in found] == [str(by_body.pk)]
    assert client.get(LIST, {"q": "nothing-like-this"}).json()["count"] == 0


def test_archived_documents_are_listed_only_when_asked(alice, team_a, doc):
    archived = make_document(team_a, alice, template=doc.template, title="Old")
    document_archive(document=archived)
    client = client_for(alice)
    assert [i["id"] for i in client.get(LIST).json()["results"]] == [str(doc.pk)]
    body = client.get(LIST, {"archived": "true"}).json()
    assert [item["id"] for item in body["results"]] == [str(archived.pk)]
    assert body["results"][0]["archived"] is True


@pytest.mark.parametrize(
    "params, field",
    [
        ({"team": "not-a-uuid"}, "team"),
        ({"status": "published"}, "status"),
        ({"archived": "maybe"}, "archived"),
        ({"template": "no spaces/allowed"}, "template"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00byte"}, "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_filter(alice, doc, params, field):
    assert_error(client_for(alice).get(LIST, params), 400, field)


def test_the_list_runs_the_same_number_of_queries_for_2_and_20_documents(
    alice, team_a, doc, django_assert_num_queries
):
    make_document(team_a, alice, template=doc.template, title="Second")
    client = client_for(alice)
    with CaptureQueriesContext(connection) as two:
        assert client.get(LIST).json()["count"] == 2
    for n in range(18):
        make_document(team_a, alice, template=doc.template, title=f"Doc {n}")
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(client.get(LIST).json()["results"]) == 20


# --- create ----------------------------------------------------------------------------------


def create_payload(team, /, **overrides) -> dict:
    return {"team": str(team.pk), "template": "tiny", "title": "Feed ranking", **overrides}


def test_anonymous_cannot_create_a_document(team_a):
    make_template("tiny")
    assert_denied_to_anonymous(client_for().post(LIST, create_payload(team_a), format="json"))
    assert not Document.objects.exists()


def test_carol_cannot_create_in_team_a_and_learns_nothing_about_it(cast, team_a):
    make_template("tiny")
    response = client_for(cast["carol"]).post(LIST, create_payload(team_a), format="json")
    body = assert_error(response, 400, "team")
    assert body["errors"]["team"] == ["No such team."]
    missing = create_payload(team_a, team=str(uuid.uuid4()))
    assert client_for(cast["carol"]).post(LIST, missing, format="json").json() == body
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", ["victor", "bob"])
def test_viewers_and_reviewers_cannot_create_documents(cast, team_a, name):
    make_template("tiny")
    response = client_for(cast[name]).post(LIST, create_payload(team_a), format="json")
    assert_error(response, 403)
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", ["eddie", "alice"])
def test_editors_and_owners_create_a_document_with_one_section_per_template_section(
    cast, team_a, name
):
    make_template("tiny", sections=3)
    payload = create_payload(team_a, summary="  Rank the feed.  ")
    response = client_for(cast[name]).post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get()
    assert body["id"] == str(document.pk)
    assert response["Location"] == detail_url(document)
    assert body["title"] == "Feed ranking"
    assert body["summary"] == "Rank the feed."
    assert body["created_by"] == name
    assert body["team"]["id"] == str(team_a.pk)
    assert [s["key"] for s in body["sections"]] == ["s0", "s1", "s2"]
    assert all(s["version"] == 1 and s["body_md"] == "" for s in body["sections"])


def test_a_document_is_created_from_the_newest_template_version(alice, team_a):
    old = make_template("tiny", sections=2, version=1)
    old.is_latest = False
    old.save()
    make_template("tiny", sections=4, version=2)
    body = client_for(alice).post(LIST, create_payload(team_a), format="json").json()
    assert body["template"]["version"] == 2
    assert len(body["sections"]) == 4


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"summary": "x" * 2001}, "summary"),
        ({"template": "no-such-template"}, "template"),
        ({"team": "not-a-uuid"}, "team"),
        ({"team": None}, "team"),
    ],
)
def test_bad_input_when_creating_is_a_400_and_creates_nothing(alice, team_a, overrides, field):
    make_template("tiny")
    response = client_for(alice).post(LIST, create_payload(team_a, **overrides), format="json")
    assert_error(response, 400, field)
    assert not Document.objects.exists()


def test_missing_fields_are_each_named(alice):
    body = assert_error(client_for(alice).post(LIST, {}, format="json"), 400)
    assert set(body["errors"]) == {"team", "template", "title"}


# --- detail ----------------------------------------------------------------------------------


def test_anonymous_cannot_read_a_document(doc):
    assert_denied_to_anonymous(client_for().get(detail_url(doc)))


@pytest.mark.parametrize("name, status", LADDER_READ)
def test_reading_a_document_climbs_the_ladder(cast, doc, name, status):
    response = client_for(cast[name]).get(detail_url(doc))
    assert response.status_code == status
    if status == 404:
        assert_error(response, 404)


def test_a_document_has_its_sections_in_order_with_rendered_html(alice, doc):
    section_save(section=doc.sections.get(key="s1"), body_md="# Goal\n\n*Fast*", author=alice)
    body = client_for(alice).get(detail_url(doc)).json()
    assert body["id"] == str(doc.pk)
    assert [s["key"] for s in body["sections"]] == ["s0", "s1", "s2"]
    s1 = body["sections"][1]
    assert s1["title"] == "Section 1"
    assert s1["position"] == 1
    assert s1["version"] == 2
    assert s1["body_md"] == "# Goal\n\n*Fast*"
    assert "<em>Fast</em>" in s1["body_html"]
    assert s1["updated_by"] == "alice"
    assert body["sections"][0]["updated_by"] is None


def test_reading_a_document_takes_a_constant_number_of_queries(
    alice, team_a, django_assert_max_num_queries
):
    big = make_document(team_a, alice, template=make_template("big", sections=12))
    with django_assert_max_num_queries(3):
        response = client_for(alice).get(detail_url(big))
    assert len(response.json()["sections"]) == 12


def test_no_integer_primary_key_appears_in_a_document(alice, doc):
    body = client_for(alice).get(detail_url(doc)).json()

    def walk(value, key=""):
        if isinstance(value, dict):
            assert "pk" not in value
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key == "id" or key.endswith("_id"):
            uuid.UUID(value)

    walk(body)


def test_a_malformed_document_id_in_the_path_is_a_json_404(alice):
    response = client_for(alice).get("/api/v1/documents/not-a-uuid/")
    assert_error(response, 404)


def test_an_unknown_document_id_is_a_404(alice, doc):
    assert_error(client_for(alice).get(reverse("api:document-detail", args=[uuid.uuid4()])), 404)


def test_another_team_document_is_a_404_for_every_endpoint(alice, doc, carol_doc):
    client = client_for(alice)
    assert_error(client.get(detail_url(carol_doc)), 404)
    assert_error(client.patch(detail_url(carol_doc), {"title": "Mine"}, format="json"), 404)
    assert_error(client.get(section_url(carol_doc)), 404)
    assert_error(client.patch(section_url(carol_doc), {"body_md": "x"}, format="json"), 404)
    archive = reverse("api:document-archive", args=[carol_doc.pk])
    assert_error(client.post(archive), 404)
    carol_doc.refresh_from_db()
    assert carol_doc.title == "Query rewriting"
    assert carol_doc.archived_at is None
    assert Section.objects.get(document=carol_doc, key="s0").version == 1


# --- update ----------------------------------------------------------------------------------


def test_anonymous_cannot_change_a_document(doc):
    response = client_for().patch(detail_url(doc), {"title": "Hacked"}, format="json")
    assert_denied_to_anonymous(response)
    doc.refresh_from_db()
    assert doc.title == "CTR prediction"


@pytest.mark.parametrize("name, status", LADDER_WRITE)
def test_changing_a_document_climbs_the_ladder(cast, doc, name, status):
    response = client_for(cast[name]).patch(
        detail_url(doc), {"title": f"By {name}", "summary": "New summary"}, format="json"
    )
    assert response.status_code == status, response.content
    doc.refresh_from_db()
    if status == 200:
        assert response.json()["title"] == f"By {name}"
        assert (doc.title, doc.summary) == (f"By {name}", "New summary")
    else:
        assert_error(response, status)
        assert (doc.title, doc.summary) == ("CTR prediction", "")


def test_a_patch_changes_only_the_fields_it_names(alice, doc):
    client_for(alice).patch(detail_url(doc), {"summary": "Only this"}, format="json")
    doc.refresh_from_db()
    assert (doc.title, doc.summary) == ("CTR prediction", "Only this")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"summary": "x" * 2001}, "summary"),
    ],
)
def test_bad_input_when_changing_a_document_is_a_400_and_changes_nothing(
    alice, doc, payload, field
):
    assert_error(client_for(alice).patch(detail_url(doc), payload, format="json"), 400, field)
    doc.refresh_from_db()
    assert (doc.title, doc.summary) == ("CTR prediction", "")


def test_an_archived_document_cannot_be_changed(alice, doc):
    document_archive(document=doc)
    response = client_for(alice).patch(detail_url(doc), {"title": "Revived"}, format="json")
    body = assert_error(response, 400)
    assert "archived" in body["detail"]
    doc.refresh_from_db()
    assert doc.title == "CTR prediction"


# --- sections --------------------------------------------------------------------------------


def test_anonymous_cannot_read_a_section(doc):
    assert_denied_to_anonymous(client_for().get(section_url(doc)))


@pytest.mark.parametrize("name, status", LADDER_READ)
def test_reading_a_section_climbs_the_ladder(cast, doc, name, status):
    response = client_for(cast[name]).get(section_url(doc))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["key"] == "s0"
        assert body["purpose"] == "Purpose of section 0."
        assert body["required"] is True
        assert response["ETag"] == '"1"'
    else:
        assert_error(response, status)


def test_an_unknown_section_key_is_a_json_404(alice, doc):
    assert_error(client_for(alice).get(section_url(doc, "nope")), 404)


def test_anonymous_cannot_save_a_section(doc):
    response = client_for().patch(
        section_url(doc), {"body_md": "x"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert_denied_to_anonymous(response)
    assert doc.sections.get(key="s0").version == 1


@pytest.mark.parametrize("name, status", LADDER_WRITE)
def test_saving_a_section_climbs_the_ladder(cast, doc, name, status):
    response = client_for(cast[name]).patch(
        section_url(doc), {"body_md": "**Latency** under 50 ms"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == status, response.content
    section = doc.sections.get(key="s0")
    if status == 200:
        body = response.json()
        assert body["version"] == 2
        assert "<strong>Latency</strong>" in body["body_html"]
        assert body["updated_by"] == name
        assert response["ETag"] == '"2"'
        assert (section.version, section.body_md) == (2, "**Latency** under 50 ms")
        assert Revision.objects.filter(section=section, version=2).exists()
    else:
        assert_error(response, status)
        assert (section.version, section.body_md) == (1, "")
        assert not Revision.objects.exists()


def test_a_section_body_is_sanitized_on_save(alice, doc):
    body = "<script>alert(1)</script> [x](javascript:alert(1))"
    html = (
        client_for(alice)
        .patch(section_url(doc), {"body_md": body}, format="json", HTTP_IF_MATCH='"1"')
        .json()
    )
    assert "<script>" not in html["body_html"]
    assert "javascript:" not in html["body_html"]


def test_a_section_body_over_100000_characters_is_a_400_and_nothing_changes(alice, doc):
    payload = {"body_md": "x" * (SECTION_BODY_MAX_CHARS + 1)}
    response = client_for(alice).patch(
        section_url(doc), payload, format="json", HTTP_IF_MATCH='"1"'
    )
    assert_error(response, 400, "body_md")
    section = doc.sections.get(key="s0")
    assert (section.version, section.body_md) == (1, "")


def test_a_section_body_of_exactly_100000_characters_is_saved(alice, doc):
    payload = {"body_md": "x" * SECTION_BODY_MAX_CHARS}
    response = client_for(alice).patch(
        section_url(doc), payload, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "non_field_errors"),
        ({"body_md": None}, "body_md"),
        ({"data": "not json object"}, "data"),
    ],
)
def test_bad_input_when_saving_a_section_is_a_400(alice, doc, payload, field):
    response = client_for(alice).patch(
        section_url(doc), payload, format="json", HTTP_IF_MATCH='"1"'
    )
    assert_error(response, 400, field)
    assert doc.sections.get(key="s0").version == 1


@pytest.mark.parametrize("payload", [[], ["body_md"], "x", 42])
def test_a_section_body_that_is_not_a_json_object_is_a_400(alice, doc, payload):
    response = client_for(alice).patch(
        section_url(doc), payload, format="json", HTTP_IF_MATCH='"1"'
    )
    body = assert_error(response, 400, "non_field_errors")
    assert "Expected a dictionary" in body["detail"]
    assert doc.sections.get(key="s0").version == 1


def test_a_save_based_on_the_current_version_succeeds(alice, doc):
    response = client_for(alice).patch(
        section_url(doc), {"body_md": "v2"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("if_match", ['W/"1"', "1"])
def test_if_match_accepts_weak_and_bare_versions(alice, doc, if_match):
    response = client_for(alice).patch(
        section_url(doc), {"body_md": "v2"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert response.status_code == 200


def test_a_save_without_if_match_is_a_428_and_nothing_changes(alice, doc):
    response = client_for(alice).patch(section_url(doc), {"body_md": "v2"}, format="json")
    assert "If-Match" in assert_error(response, 428)["detail"]
    section = doc.sections.get(key="s0")
    assert (section.version, section.body_md) == (1, "")
    assert not Revision.objects.exists()


@pytest.mark.parametrize("if_match", ['"one"', '"0"', f'"{10**30}"'])
def test_a_malformed_if_match_is_a_400(alice, doc, if_match):
    response = client_for(alice).patch(
        section_url(doc), {"body_md": "v2"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert_error(response, 400, "If-Match")
    assert doc.sections.get(key="s0").version == 1


def test_a_save_based_on_a_stale_version_is_a_412_with_the_current_section(alice, eddie, doc):
    section_save(section=doc.sections.get(key="s0"), body_md="Eddie's text", author=eddie)
    response = client_for(alice).patch(
        section_url(doc), {"body_md": "Alice's text"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    body = response.json()
    assert body["detail"]
    assert body["current"]["version"] == 2
    assert body["current"]["body_md"] == "Eddie's text"
    assert body["current"]["updated_by"] == "eddie"
    assert response["ETag"] == '"2"'
    section = doc.sections.get(key="s0")
    assert (section.version, section.body_md) == (2, "Eddie's text")
    assert Revision.objects.filter(section=section).count() == 1


def test_two_saves_from_the_same_version_one_wins_and_both_texts_survive(alice, eddie, doc):
    first = client_for(eddie).patch(
        section_url(doc), {"body_md": "Eddie's text"}, format="json", HTTP_IF_MATCH='"1"'
    )
    second = client_for(alice).patch(
        section_url(doc), {"body_md": "Alice's text"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()["current"]["body_md"] == "Eddie's text"
    retry = client_for(alice).patch(
        section_url(doc),
        {"body_md": "Eddie's text\n\nAlice's text"},
        format="json",
        HTTP_IF_MATCH=second["ETag"],
    )
    assert retry.status_code == 200
    bodies = list(Revision.objects.order_by("version").values_list("body_md", flat=True))
    assert bodies == ["Eddie's text", "Eddie's text\n\nAlice's text"]


def test_a_get_with_the_current_etag_is_a_304(alice, doc):
    response = client_for(alice).get(section_url(doc), HTTP_IF_NONE_MATCH='"1"')
    assert response.status_code == 304
    assert response["ETag"] == '"1"'


def test_a_section_of_an_archived_document_cannot_be_saved(alice, doc):
    document_archive(document=doc)
    response = client_for(alice).patch(
        section_url(doc), {"body_md": "x"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert "archived" in assert_error(response, 400)["detail"]
    assert doc.sections.get(key="s0").version == 1


# --- archive and restore ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["document-archive", "document-restore"])
def test_anonymous_cannot_archive_or_restore(doc, action):
    assert_denied_to_anonymous(client_for().post(reverse(f"api:{action}", args=[doc.pk])))


@pytest.mark.parametrize("name, status", LADDER_WRITE)
def test_archiving_climbs_the_ladder(cast, doc, name, status):
    response = client_for(cast[name]).post(reverse("api:document-archive", args=[doc.pk]))
    assert response.status_code == status, response.content
    doc.refresh_from_db()
    if status == 200:
        assert response.json()["archived"] is True
        assert doc.archived_at is not None
    else:
        assert_error(response, status)
        assert doc.archived_at is None


@pytest.mark.parametrize("name, status", LADDER_WRITE)
def test_restoring_climbs_the_ladder(cast, doc, name, status):
    document_archive(document=doc)
    response = client_for(cast[name]).post(reverse("api:document-restore", args=[doc.pk]))
    assert response.status_code == status, response.content
    doc.refresh_from_db()
    if status == 200:
        assert response.json()["archived"] is False
        assert doc.archived_at is None
    else:
        assert_error(response, status)
        assert doc.archived_at is not None


def test_archiving_twice_keeps_the_first_archive_time(alice, doc):
    client = client_for(alice)
    url = reverse("api:document-archive", args=[doc.pk])
    first = client.post(url).json()["archived_at"]
    assert client.post(url).json()["archived_at"] == first


def test_archive_answers_405_to_get_and_archives_nothing(alice, doc):
    url = reverse("api:document-archive", args=[doc.pk])
    assert_error(client_for(alice).get(url), 405)
    doc.refresh_from_db()
    assert doc.archived_at is None
