"""The review pages: the panel and threads on the document page, the forms, audit and versions."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.documents.models import Document
from apps.documents.services import section_save
from apps.reviews import selectors, services
from apps.reviews.models import AuditEvent, Comment, ReviewDecision, ReviewRequest, Thread
from tests.factories import make_document

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def url(doc, tail=""):
    return f"/documents/{doc.pk}/{tail}"


def test_the_document_page_says_what_stands_before_sign_off(client, alice, doc):
    soup = page(login(client, alice).get(url(doc)))
    panel = soup.select_one("#review")
    assert "Nobody has been asked to review yet." in panel.text
    assert panel.select_one(f'a[href="{url(doc, "review/request/")}"]')


@pytest.mark.parametrize(("who", "status"), [("carol", 404), ("victor", 403), ("bob", 403)])
def test_only_editors_and_owners_open_the_review_request_form(client, cast, doc, who, status):
    assert login(client, cast[who]).get(url(doc, "review/request/")).status_code == status


def test_the_request_form_offers_members_who_may_review_but_not_the_author(client, alice, doc):
    soup = page(login(client, alice).get(url(doc, "review/request/")))
    names = {i["value"] for i in soup.select('input[name="reviewers"]')}
    assert names == {"bob", "eddie"}


def test_requesting_a_review_from_the_page(client, alice, bob, doc):
    response = login(client, alice).post(
        url(doc, "review/request/"), {"reviewers": ["bob"], "sections": ["s1"]}
    )
    assert response.status_code == 302 and response["Location"].endswith("#review")
    request = ReviewRequest.objects.get(document=doc)
    assert request.reviewer == bob and request.section_keys == ["s1"]


def test_a_request_without_reviewers_shows_the_form_again_with_an_error(client, alice, doc):
    response = login(client, alice).post(url(doc, "review/request/"), {"sections": ["s1"]})
    assert response.status_code == 400
    assert page(response).select_one(".field--error")
    assert not ReviewRequest.objects.exists()


def test_a_new_thread_with_an_empty_comment_keeps_what_was_typed(client, bob, doc):
    response = login(client, bob).post(
        url(doc, "threads/new/"),
        {"section": "s0", "kind": "question", "body": "", "quote": ""},
    )
    assert response.status_code == 400
    assert not Thread.objects.exists()
    soup = page(response)
    assert soup.select_one('select[name="section"] option[selected]')["value"] == "s0"


def test_a_quote_that_is_not_in_the_section_is_refused_on_the_form(client, bob, doc):
    response = login(client, bob).post(
        url(doc, "threads/new/"),
        {"section": "s0", "kind": "question", "body": "Why?", "quote": "not there"},
    )
    assert response.status_code == 400
    assert "not in the section" in page(response).select_one(".field--error").text
    assert page(response).select_one('textarea[name="body"]').text.strip() == "Why?"


def test_a_viewer_comments_and_sees_the_thread_under_its_section(client, victor, doc):
    response = login(client, victor).post(
        url(doc, "threads/new/"), {"section": "s1", "kind": "question", "body": "What is *X*?"}
    )
    thread = Thread.objects.get()
    assert response["Location"].endswith(f"#thread-{thread.pk}")
    soup = page(client.get(url(doc)))
    article = soup.select_one(f"#sec-s1 #thread-{thread.pk}")
    assert article.select_one(".comment__body em").text == "X"


def test_a_viewer_is_not_offered_a_blocking_concern_and_cannot_post_one(client, victor, doc):
    soup = page(login(client, victor).get(url(doc)))
    kinds = {o["value"] for o in soup.select('#sec-s0 select[name="kind"] option')}
    assert kinds == {"question", "suggestion", "praise"}
    response = client.post(
        url(doc, "threads/new/"), {"section": "s0", "kind": "blocking", "body": "No."}
    )
    assert response.status_code == 400 and not Thread.objects.exists()


def test_another_teams_document_is_a_404_for_every_review_page(client, carol, alice, doc):
    thread = services.thread_open(document=doc, author=alice, section_key="s0", body_md="Hm")
    comment = thread.comments.get()
    login(client, carol)
    for path in [
        "threads/new/",
        "review/audit/",
        "versions/",
        f"comments/{comment.pk}/edit/",
        f"threads/{thread.pk}/resolve/",
    ]:
        assert client.get(url(doc, path)).status_code == 404, path
    assert client.post(url(doc, f"threads/{thread.pk}/reply/"), {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 1


def test_a_thread_of_another_document_is_a_404(client, alice, doc, team_a):
    other = make_document(team_a, alice, template=doc.template, title="Other")
    thread = services.thread_open(document=other, author=alice, section_key="s0", body_md="Hm")
    response = login(client, alice).post(
        url(doc, f"threads/{thread.pk}/reply/"), {"body": "wrong document"}
    )
    assert response.status_code == 404 and thread.comments.count() == 1


def test_resolving_someone_elses_blocking_concern_asks_the_owner_for_a_reason(
    client, alice, bob, doc
):
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Leak", kind="blocking"
    )
    login(client, alice)
    form = page(client.get(url(doc, f"threads/{thread.pk}/resolve/")))
    assert "Resolve a blocking concern" in form.h1.text
    response = client.post(url(doc, f"threads/{thread.pk}/resolve/"), {"reason": ""})
    assert response.status_code == 400
    thread.refresh_from_db()
    assert thread.is_open
    client.post(url(doc, f"threads/{thread.pk}/resolve/"), {"reason": "Data is deduplicated."})
    thread.refresh_from_db()
    assert not thread.is_open and thread.resolution_reason == "Data is deduplicated."


def test_someone_else_cannot_resolve_a_blocking_concern(client, bob, eddie, doc):
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Leak", kind="blocking"
    )
    response = login(client, eddie).post(url(doc, f"threads/{thread.pk}/resolve/"), {})
    assert response.status_code == 403
    assert "Only the reviewer who raised this concern" in response.content.decode()
    thread.refresh_from_db()
    assert thread.is_open


@pytest.mark.parametrize("kind", ["question", "blocking"])
def test_the_resolve_form_opens_only_for_who_may_resolve(client, alice, bob, eddie, doc, kind):
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Why?", kind=kind
    )
    resolve = url(doc, f"threads/{thread.pk}/resolve/")
    refused = login(client, eddie).get(resolve)
    assert refused.status_code == 403
    assert "can resolve it" in refused.content.decode()
    assert login(client, bob).get(resolve).status_code == 200  # its author
    assert login(client, alice).get(resolve).status_code == 200  # the document's owner


def test_the_comment_edit_form_is_the_authors_alone(client, alice, bob, doc):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Old")
    edit = url(doc, f"comments/{thread.comments.get().pk}/edit/")
    refused = login(client, alice).get(edit)  # even the team's owner
    assert refused.status_code == 403
    assert "Only its author can edit a comment." in refused.content.decode()
    assert login(client, bob).get(edit).status_code == 200


def test_editing_your_comment_and_not_someone_elses(client, bob, eddie, doc):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Old")
    comment = thread.comments.get()
    login(client, eddie)
    assert (
        client.post(url(doc, f"comments/{comment.pk}/edit/"), {"body": "Hijack"}).status_code == 403
    )
    login(client, bob)
    assert client.get(url(doc, f"comments/{comment.pk}/edit/")).status_code == 200
    client.post(url(doc, f"comments/{comment.pk}/edit/"), {"body": "New"})
    comment.refresh_from_db()
    assert comment.body_md == "New" and comment.edited_at


def test_only_a_requested_reviewer_sees_the_decision_form(client, alice, bob, eddie, doc):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    assert page(login(client, bob).get(url(doc))).select_one(".decision-form")
    assert not page(login(client, eddie).get(url(doc))).select_one(".decision-form")
    assert not page(login(client, alice).get(url(doc))).select_one(".decision-form")


def test_approving_from_the_page_signs_off_and_shows_the_version(client, alice, bob, doc):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    login(client, bob)
    content_hash = page(client.get(url(doc))).select_one('input[name="content_hash"]')["value"]
    response = client.post(
        url(doc, "review/decide/"), {"decision": "approve", "content_hash": content_hash}
    )
    assert response.status_code == 302
    assert Document.objects.get(pk=doc.pk).status == "signed_off"
    versions = page(client.get(url(doc, "versions/")))
    assert versions.select_one('a[href$="/versions/1/"]').text == "Version 1"
    assert client.get(url(doc, "versions/1/")).status_code == 200
    assert client.get(url(doc, "versions/2/")).status_code == 404


def test_an_approval_of_a_page_that_went_stale_is_refused_with_a_message(client, alice, bob, doc):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    login(client, bob)
    content_hash = page(client.get(url(doc))).select_one('input[name="content_hash"]')["value"]
    section_save(section=doc.sections.get(key="s2"), body_md="Changed meanwhile", author=alice)
    response = client.post(
        url(doc, "review/decide/"), {"decision": "approve", "content_hash": content_hash}
    )
    assert response.status_code == 400
    assert "changed since you loaded them" in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_approving_without_being_asked_is_a_clear_403(client, bob, doc):
    response = login(client, bob).post(
        url(doc, "review/decide/"), {"decision": "approve", "content_hash": "x"}
    )
    assert response.status_code == 403
    assert "You were not asked to review this document" in response.content.decode()


def test_the_dashboard_lists_what_awaits_my_review(client, alice, bob, doc):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    soup = page(login(client, bob).get("/documents/"))
    assert soup.select_one(".awaiting a")["href"] == url(doc, "#review")
    assert not page(login(client, alice).get("/documents/")).select_one(".awaiting")


def test_the_audit_log_lists_every_action(client, alice, bob, victor, doc):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    rows = page(login(client, victor).get(url(doc, "review/audit/"))).select(".audit tbody tr")
    assert len(rows) == AuditEvent.objects.filter(document=doc).count() == 2
    assert "requested a review from bob" in rows[0].text
    assert "Draft" in rows[1].text and "In review" in rows[1].text


def test_the_document_page_query_count_does_not_grow_with_threads_and_requests(
    client, alice, bob, eddie, doc
):
    login(client, alice)
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    services.thread_open(document=doc, author=bob, section_key="s0", body_md="One")
    small = _count_queries(client, url(doc))
    services.review_request(document=doc, requested_by=alice, usernames=["eddie"])
    for i in range(5):
        thread = services.thread_open(document=doc, author=bob, section_key="s1", body_md=f"T{i}")
        services.comment_add(thread=thread, author=eddie, body_md="Reply @bob")
    services.review_decide(
        document=doc,
        reviewer=bob,
        kind="approve",
        content_hash=selectors.signoff_state(doc).requests[0].covered_hash,
    )
    assert _count_queries(client, url(doc)) == small


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)
