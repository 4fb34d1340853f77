"""The review API: threads, comments, requests and decisions, sign-off, versions, audit, scores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.documents.services import section_save
from apps.reviews import services
from apps.reviews.models import (
    AuditEvent,
    Comment,
    ReviewDecision,
    ReviewRequest,
    Scorecard,
    Thread,
)
from tests.factories import add_member, make_user

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


# --- the permission ladder on every route -----------------------------------------------------


def _every_route(doc, thread, comment, request):
    return [
        ("get", "threads/"),
        ("post", "threads/"),
        ("get", f"threads/{thread.pk}/"),
        ("post", f"threads/{thread.pk}/comments/"),
        ("post", f"threads/{thread.pk}/resolve/"),
        ("post", f"threads/{thread.pk}/reopen/"),
        ("patch", f"comments/{comment.pk}/"),
        ("delete", f"comments/{comment.pk}/"),
        ("get", "reviews/"),
        ("post", "reviews/"),
        ("delete", f"reviews/requests/{request.pk}/"),
        ("get", "signoff/"),
        ("get", "versions/1/"),
        ("get", "audit/"),
        ("get", "scores/"),
        ("put", "scores/"),
    ]


@pytest.fixture
def reviewed(doc, alice, bob):
    """A document with a thread (one comment) and a review request for bob."""
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Hm")
    [request] = services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    return thread, thread.comments.get(), request


@pytest.mark.parametrize("who", ["anonymous", "carol"])
def test_outsiders_get_nothing_on_every_route_in_the_error_shape(api, doc, cast, reviewed, who):
    before = counts()
    if who == "carol":
        as_user(api, cast["carol"])
    for method, tail in _every_route(doc, *reviewed):
        response = getattr(api, method)(url(doc, tail), {"body": "x"}, format="json")
        if who == "carol":
            assert response.status_code == 404, (method, tail)
        else:
            assert response.status_code in {401, 403}, (method, tail)
        assert set(response.json()) == {"detail", "errors"}, (method, tail)
    assert counts() == before


def test_a_viewer_comments_but_neither_blocks_nor_asks_for_reviews(api, doc, victor, reviewed):
    thread, _comment, request = reviewed
    as_user(api, victor)
    reply = api.post(url(doc, f"threads/{thread.pk}/comments/"), {"body": "+1"}, format="json")
    assert reply.status_code == 201 and reply.json()["author"] == "victor"
    note = api.post(url(doc, "reviews/"), {"action": "comment", "body": "Nice"}, format="json")
    assert note.status_code == 201
    before = counts()
    blocking = {"section": "s0", "body": "Stop", "kind": "blocking"}
    assert api.post(url(doc, "threads/"), blocking, format="json").status_code == 403
    asked = {"action": "request", "reviewers": ["eddie"]}
    assert api.post(url(doc, "reviews/"), asked, format="json").status_code == 403
    assert api.delete(url(doc, f"reviews/requests/{request.pk}/")).status_code == 403
    assert counts() == before


def test_approving_your_own_document_is_refused_with_a_reason(api, doc, alice):
    before = counts()
    response = as_user(api, alice).post(
        url(doc, "reviews/"), {"action": "approve", "content_hash": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "You wrote this document" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_empty_or_huge_replies_and_edits_are_400s_on_body(api, doc, bob, reviewed, body):
    thread, comment, _request = reviewed
    before = counts()
    as_user(api, bob)
    reply = api.post(url(doc, f"threads/{thread.pk}/comments/"), {"body": body}, format="json")
    assert reply.status_code == 400 and "body" in reply.json()["errors"]
    edit = api.patch(url(doc, f"comments/{comment.pk}/"), {"body": body}, format="json")
    assert edit.status_code == 400 and "body" in edit.json()["errors"]
    assert counts() == before
    assert Comment.objects.get(pk=comment.pk).body_md == "Hm"


def test_a_blocking_concern_holds_sign_off_until_its_reviewer_resolves_it(api, doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    as_user(api, bob)
    concern = api.post(
        url(doc, "threads/"), {"section": "s2", "body": "Leak", "kind": "blocking"}, format="json"
    ).json()
    api.post(
        url(doc, "reviews/"),
        {"action": "approve", "content_hash": covered_hash(api, doc, "bob")},
        format="json",
    )
    signoff = api.get(url(doc, "signoff/")).json()
    assert signoff["status"] == "in_review" and signoff["open_blocking_threads"] == 1
    assert api.get(url(doc, "threads/?status=open")).json()[0]["kind"] == "blocking"
    assert api.post(url(doc, f"threads/{concern['id']}/resolve/")).status_code == 200
    signoff = api.get(url(doc, "signoff/")).json()
    assert signoff["signed_off"] and signoff["open_blocking_threads"] == 0
    assert api.get(url(doc, "threads/?status=open")).json() == []


def test_reviews_lists_requests_with_their_verdict_and_every_decision(api, doc, alice, bob):
    services.review_request(
        document=doc, requested_by=alice, usernames=["bob"], section_keys=["s1"]
    )
    as_user(api, bob)
    api.post(url(doc, "reviews/"), {"action": "comment", "body": "Reading"}, format="json")
    api.post(url(doc, "reviews/"), {"action": "request_changes", "body": "Fix"}, format="json")
    body = api.get(url(doc, "reviews/")).json()
    [request] = body["requests"]
    assert request["sections"] == ["s1"] and not request["whole_document"]
    assert request["status"] == "changes_requested" and request["requested_by"] == "alice"
    assert request["decision"]["kind"] == "request_changes"
    assert request["decision"]["sections"] == ["s1"]
    assert [d["kind"] for d in body["decisions"]] == ["comment", "request_changes"]


# --- constant query counts --------------------------------------------------------------------


def _grow(doc, alice, team_a, start, n):
    """`n` more reviewers who each got a request and gave a verdict; `n` more threads with
    replies, a resolved one among them."""
    for i in range(start, start + n):
        reviewer = make_user(f"reviewer{i}")
        add_member(team_a, reviewer, "reviewer")
        services.review_request(document=doc, requested_by=alice, usernames=[reviewer.username])
        services.review_decide(
            document=doc, reviewer=reviewer, kind="request_changes", body_md="Fix it"
        )
        thread = services.thread_open(
            document=doc, author=reviewer, section_key="s1", body_md="Q", quote="s1 says"
        )
        services.comment_add(thread=thread, author=alice, body_md="A")
        services.thread_resolve(thread=thread, user=reviewer)


@pytest.mark.parametrize("tail", ["threads/", "signoff/", "reviews/", "audit/"])
def test_reads_stay_within_a_fixed_number_of_queries(
    api, doc, alice, team_a, tail, django_assert_max_num_queries
):
    as_user(api, alice)
    _grow(doc, alice, team_a, 0, 1)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url(doc, tail)).status_code == 200
    _grow(doc, alice, team_a, 1, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get(url(doc, tail))
    assert response.status_code == 200


def test_a_thread_reads_in_fixed_queries_however_many_replies(
    api, doc, alice, bob, django_assert_max_num_queries
):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Q")
    services.thread_resolve(thread=thread, user=bob)
    as_user(api, alice)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url(doc, f"threads/{thread.pk}/")).status_code == 200
    for i in range(5):
        replier = make_user(f"member{i}")
        add_member(doc.team, replier, "viewer")
        services.comment_add(thread=thread, author=replier, body_md=str(i))
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = api.get(url(doc, f"threads/{thread.pk}/")).json()
    assert len(body["comments"]) == 6 and body["resolved_by"] == "bob"


@pytest.mark.parametrize("body", [{}, {"body": "Mine now."}])
def test_only_its_author_edits_a_comment_whatever_the_body(api, doc, alice, bob, body):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Why?")
    comment = thread.comments.get()
    response = as_user(api, alice).patch(url(doc, f"comments/{comment.pk}/"), body, format="json")
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body_md == "Why?"


@pytest.mark.parametrize("body", [{}, {"entries": {}}])
def test_the_author_may_not_score_whatever_the_body(api, doc, alice, body):
    response = as_user(api, alice).put(url(doc, "scores/"), body, format="json")
    assert response.status_code == 403
    assert not Scorecard.objects.exists()
