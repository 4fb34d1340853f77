"""The review API: threads, comments, requests and decisions, sign-off, versions, audit, scores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.documents.services import section_save
from apps.reviews import services
from apps.reviews.models import AuditEvent, Comment, ReviewDecision, ReviewRequest, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def url(doc, tail=""):
    return f"/api/v1/documents/{doc.pk}/{tail}"


def counts():
    return (
        Thread.objects.count(),
        Comment.objects.count(),
        ReviewRequest.objects.count(),
        ReviewDecision.objects.count(),
        AuditEvent.objects.count(),
    )


def covered_hash(api, doc, reviewer):
    requests = api.get(url(doc, "reviews/")).json()["requests"]
    return next(r["covered_hash"] for r in requests if r["reviewer"] == reviewer)


# --- threads ----------------------------------------------------------------------------------


def test_a_viewer_opens_a_thread_and_everyone_reads_it(api, doc, victor, bob):
    response = as_user(api, victor).post(
        url(doc, "threads/"),
        {"section": "s0", "kind": "question", "body": "What is *s0*?", "quote": "s0 says"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["section"] == "s0" and body["quote"] == "s0 says" and not body["outdated"]
    assert body["comments"][0]["body_html"] == "<p>What is <em>s0</em>?</p>"
    listed = as_user(api, bob).get(url(doc, "threads/")).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert api.get(url(doc, "threads/?status=resolved")).json() == []
    assert api.get(url(doc, "threads/?status=closed")).status_code == 400


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"section": "nope", "body": "Hi"}, "section"),
        ({"section": "s0", "body": ""}, "body"),
        ({"section": "s0", "body": "   "}, "body"),
        ({"section": "s0", "body": "Hi", "kind": "rant"}, "kind"),
        ({"section": "s0", "body": "Hi", "quote": "not in it"}, "quote"),
        ({"section": "s0", "body": "Hi", "field_path": "no.such"}, "field_path"),
    ],
)
def test_bad_threads_are_400s_with_the_field_and_change_nothing(api, doc, bob, payload, field):
    before = counts()
    response = as_user(api, bob).post(url(doc, "threads/"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert counts() == before


def test_another_teams_document_is_a_404_on_every_review_route(api, doc, alice, carol):
    thread = services.thread_open(document=doc, author=alice, section_key="s0", body_md="Hm")
    comment = thread.comments.get()
    before = counts()
    as_user(api, carol)
    for method, tail in [
        ("get", "threads/"),
        ("post", "threads/"),
        ("get", f"threads/{thread.pk}/"),
        ("post", f"threads/{thread.pk}/comments/"),
        ("post", f"threads/{thread.pk}/resolve/"),
        ("patch", f"comments/{comment.pk}/"),
        ("delete", f"comments/{comment.pk}/"),
        ("get", "reviews/"),
        ("post", "reviews/"),
        ("get", "signoff/"),
        ("get", "audit/"),
        ("get", "scores/"),
        ("put", "scores/"),
        ("get", "versions/1/"),
    ]:
        response = getattr(api, method)(url(doc, tail), {"body": "x"}, format="json")
        assert response.status_code == 404, (method, tail)
    assert counts() == before


def test_anonymous_clients_are_refused(api, doc):
    assert api.get(url(doc, "threads/")).status_code in {401, 403}


def test_replies_edits_deletes_resolve_and_reopen(api, doc, alice, bob, eddie):
    thread = (
        as_user(api, bob)
        .post(url(doc, "threads/"), {"section": "s1", "body": "Q?"}, format="json")
        .json()
    )
    reply = as_user(api, eddie).post(
        url(doc, f"threads/{thread['id']}/comments/"), {"body": "A."}, format="json"
    )
    assert reply.status_code == 201
    comment_id = reply.json()["id"]
    assert (
        as_user(api, bob)
        .patch(url(doc, f"comments/{comment_id}/"), {"body": "Hijack"}, format="json")
        .status_code
        == 403
    )
    edited = as_user(api, eddie).patch(
        url(doc, f"comments/{comment_id}/"), {"body": "A, edited."}, format="json"
    )
    assert edited.json()["body"] == "A, edited." and edited.json()["edited_at"]
    assert api.delete(url(doc, f"comments/{comment_id}/")).status_code == 204
    assert Comment.objects.get(pk=comment_id).is_deleted
    assert as_user(api, eddie).post(url(doc, f"threads/{thread['id']}/resolve/")).status_code == 403
    resolved = as_user(api, alice).post(url(doc, f"threads/{thread['id']}/resolve/"))
    assert resolved.json()["status"] == "resolved"
    assert api.post(url(doc, f"threads/{thread['id']}/resolve/")).status_code == 400
    assert api.post(url(doc, f"threads/{thread['id']}/reopen/")).json()["status"] == "open"


def test_resolving_someone_elses_blocking_concern(api, doc, alice, bob, eddie):
    thread = (
        as_user(api, bob)
        .post(
            url(doc, "threads/"),
            {"section": "s0", "body": "Leak", "kind": "blocking"},
            format="json",
        )
        .json()
    )
    resolve = url(doc, f"threads/{thread['id']}/resolve/")
    assert as_user(api, eddie).post(resolve).status_code == 403
    response = as_user(api, alice).post(resolve, {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert Thread.objects.get().is_open
    done = api.post(resolve, {"reason": "Deduplicated upstream."}, format="json").json()
    assert done["resolution_reason"] == "Deduplicated upstream." and done["resolved_by"] == "alice"


# --- reviews and sign-off ---------------------------------------------------------------------


def test_request_approve_and_sign_off_through_the_api(api, doc, alice, bob):
    response = as_user(api, alice).post(
        url(doc, "reviews/"), {"action": "request", "reviewers": ["bob"]}, format="json"
    )
    assert response.status_code == 201
    [request] = response.json()["requests"]
    assert request["reviewer"] == "bob" and request["status"] == "pending"
    assert request["whole_document"] and request["sections"] == ["s0", "s1", "s2"]

    as_user(api, bob)
    approved = api.post(
        url(doc, "reviews/"),
        {"action": "approve", "content_hash": covered_hash(api, doc, "bob"), "body": "LGTM"},
        format="json",
    )
    assert approved.status_code == 201
    signoff = api.get(url(doc, "signoff/")).json()
    assert signoff["status"] == "signed_off" and signoff["signed_off"]
    assert signoff["blocking"] == [] and signoff["versions"][0]["number"] == 1
    version = api.get(signoff["versions"][0]["url"]).json()
    assert version["sections"][0]["body_md"] == "What s0 says."
    assert version["approvals"][0]["reviewer"] == "bob"
    audit = api.get(url(doc, "audit/")).json()
    assert [e["action"] for e in audit["results"]] == [
        "review_requested",
        "status_changed",
        "approved",
        "status_changed",
    ]


def test_a_stale_approval_is_a_409_with_the_current_hash(api, doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    seen = covered_hash(as_user(api, bob), doc, "bob")
    section_save(section=doc.sections.get(key="s2"), body_md="Changed", author=alice)
    before = counts()
    response = api.post(
        url(doc, "reviews/"), {"action": "approve", "content_hash": seen}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert "content_hash" in body["errors"]
    assert body["covered_hash"] == covered_hash(api, doc, "bob") != seen
    assert counts() == before
    retry = api.post(
        url(doc, "reviews/"),
        {"action": "approve", "content_hash": body["covered_hash"]},
        format="json",
    )
    assert retry.status_code == 201


@pytest.mark.parametrize(
    ("user", "payload", "status", "field"),
    [
        ("bob", {"action": "approve", "content_hash": "x"}, 403, None),
        ("alice", {"action": "approve", "content_hash": "x"}, 403, None),
        ("alice", {"action": "request", "reviewers": ["carol"]}, 400, "reviewers"),
        ("alice", {"action": "request", "reviewers": ["alice"]}, 400, "reviewers"),
        ("alice", {"action": "request", "reviewers": ["bob"], "sections": ["x"]}, 400, "sections"),
        ("alice", {"action": "request"}, 400, "reviewers"),
        ("victor", {"action": "request", "reviewers": ["bob"]}, 403, None),
        ("bob", {"action": "request_changes"}, 403, None),
        ("bob", {"action": "merge"}, 400, "action"),
    ],
)
def test_refused_review_actions_change_nothing(api, doc, cast, user, payload, status, field):
    before = counts()
    response = as_user(api, cast[user]).post(url(doc, "reviews/"), payload, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"]
    assert counts() == before


def test_not_being_asked_is_explained(api, doc, bob):
    response = as_user(api, bob).post(
        url(doc, "reviews/"), {"action": "approve", "content_hash": "x"}, format="json"
    )
    assert "You were not asked to review this document" in response.json()["detail"]


def test_request_changes_needs_a_body(api, doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    before = counts()
    response = as_user(api, bob).post(
        url(doc, "reviews/"), {"action": "request_changes", "body": ""}, format="json"
    )
    assert response.status_code == 400 and "body" in response.json()["errors"]
    assert counts() == before


def test_withdrawing_a_request(api, doc, alice, bob):
    [request] = services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    assert as_user(api, bob).delete(url(doc, f"reviews/requests/{request.pk}/")).status_code == 403
    assert (
        as_user(api, alice).delete(url(doc, f"reviews/requests/{request.pk}/")).status_code == 204
    )
    assert api.get(url(doc, "signoff/")).json()["status"] == "draft"
    assert api.delete(url(doc, f"reviews/requests/{request.pk}/")).status_code == 404


def _queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_threads_and_requests(api, doc, alice, bob, eddie):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    services.thread_open(document=doc, author=bob, section_key="s0", body_md="One")
    as_user(api, alice)
    small = {p: _queries(api, url(doc, p)) for p in ["threads/", "signoff/", "reviews/"]}
    services.review_request(document=doc, requested_by=alice, usernames=["eddie"])
    for i in range(4):
        thread = services.thread_open(document=doc, author=bob, section_key="s1", body_md=str(i))
        services.comment_add(thread=thread, author=eddie, body_md="Reply")
    services.review_decide(document=doc, reviewer=eddie, kind="comment", body_md="Looks fine")
    assert {p: _queries(api, url(doc, p)) for p in small} == small


# --- scores -----------------------------------------------------------------------------------


def test_scores_on_a_template_without_a_rubric_are_refused(api, doc, bob):
    response = as_user(api, bob).put(
        url(doc, "scores/"), {"entries": {"problem": {"score": 2}}}, format="json"
    )
    assert response.status_code == 400
    assert as_user(api, bob).get(url(doc, "scores/")).json() == []


def test_score_input_is_validated(api, doc, bob):
    response = as_user(api, bob).put(
        url(doc, "scores/"), {"entries": {"problem": {"score": 7}}}, format="json"
    )
    assert response.status_code == 400 and "entries.problem.score" in response.json()["errors"]
