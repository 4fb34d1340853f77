"""The review workflow's services: threads, requests, decisions, sign-off, audit."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.services import membership_change_role, membership_remove
from apps.checklists.selectors import checklist_current
from apps.documents.models import Document
from apps.documents.services import section_save
from apps.notifications.models import Notification
from apps.reviews import selectors, services
from apps.reviews.models import AuditEvent, Comment, ReviewDecision, SignedVersion, Thread
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def edit(doc, key, text, author):
    section = doc.sections.get(key=key)
    return section_save(section=section, body_md=text, author=author)


def approve(doc, reviewer, **kwargs):
    state = selectors.signoff_state(doc)
    mine = next(s for s in state.requests if s.request.reviewer_id == reviewer.pk)
    return services.review_decide(
        document=doc, reviewer=reviewer, kind="approve", content_hash=mine.covered_hash, **kwargs
    )


def status(doc):
    return Document.objects.values_list("status", flat=True).get(pk=doc.pk)


# --- threads and comments -------------------------------------------------------------


def test_a_viewer_can_open_a_question_thread_on_a_section(doc, victor):
    thread = services.thread_open(
        document=doc, author=victor, section_key="s1", body_md="Why **this**?"
    )
    assert thread.kind == Thread.Kind.QUESTION and thread.is_open
    comment = thread.comments.get()
    assert comment.body_html == "<p>Why <strong>this</strong>?</p>"
    assert AuditEvent.objects.filter(document=doc, action="thread_opened").count() == 1


def test_comment_markdown_goes_through_the_sanitizer(doc, bob):
    thread = services.thread_open(
        document=doc,
        author=bob,
        section_key="s0",
        body_md='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="a()">',
    )
    dom = BeautifulSoup(thread.comments.get().body_html, "html.parser")
    assert not dom.find_all(["script", "img"])
    assert all(not a.get("href", "").startswith("javascript") for a in dom.find_all("a"))
    assert not [tag for tag in dom.find_all(True) if "onerror" in tag.attrs]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"section_key": "nope"}, "section"),
        ({"body_md": "   "}, "body"),
        ({"body_md": "x" * 10_001}, "body"),
        ({"kind": "rant"}, "kind"),
        ({"quote": "not in the section"}, "quote"),
        ({"field_path": "metrics.items"}, "field_path"),
    ],
)
def test_bad_thread_input_is_refused_and_nothing_is_written(doc, bob, kwargs, field):
    args = {"document": doc, "author": bob, "section_key": "s0", "body_md": "Hm."} | kwargs
    with pytest.raises(ValidationError) as excinfo:
        services.thread_open(**args)
    assert field in excinfo.value.message_dict
    assert not Thread.objects.exists() and not AuditEvent.objects.exists()


def test_a_quote_must_be_in_the_rendered_section_and_goes_outdated_when_it_changes(doc, alice, bob):
    edit(doc, "s0", "We predict **click-through** rate for feed ads.", alice)
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Which ads?", quote="click-through rate"
    )
    section = doc.sections.get(key="s0")
    assert not thread.is_outdated(section)
    edit(doc, "s0", "We predict conversion for feed ads.", alice)
    section.refresh_from_db()
    assert thread.is_outdated(section)


def test_only_those_who_may_review_raise_a_blocking_concern(doc, victor):
    with pytest.raises(PermissionDenied):
        services.thread_open(
            document=doc, author=victor, section_key="s0", body_md="No!", kind="blocking"
        )
    assert not Thread.objects.exists()


def test_another_teams_member_cannot_comment(doc, carol):
    with pytest.raises(PermissionDenied):
        services.thread_open(document=doc, author=carol, section_key="s0", body_md="Hi")


def test_replies_edits_and_deletes_are_the_authors_own(doc, bob, eddie):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Q?")
    reply = services.comment_add(thread=thread, author=eddie, body_md="A.")
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=reply, user=bob, body_md="Changed")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=reply, user=bob)
    reply.refresh_from_db()
    assert reply.body_md == "A." and reply.edited_at is None
    services.comment_edit(comment=reply, user=eddie, body_md="A, edited.")
    services.comment_delete(comment=thread.comments.first(), user=bob)
    first, second = Comment.objects.filter(thread=thread).order_by("created_at")
    assert first.is_deleted and first.body_md == "" and second.edited_at is not None


def test_mentions_notify_team_members_only(doc, alice, bob, carol):
    services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="@alice and @carol, see this"
    )
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("alice", "mention")
    ]


def test_question_resolved_by_its_author_or_the_document_owner_only(doc, alice, bob, eddie):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Q?")
    with pytest.raises(PermissionDenied):
        services.thread_resolve(thread=thread, user=eddie)
    thread.refresh_from_db()
    assert thread.is_open
    services.thread_resolve(thread=thread, user=alice)
    thread.refresh_from_db()
    assert thread.status == "resolved" and thread.resolved_by == alice
    services.thread_reopen(thread=thread, user=bob)
    thread.refresh_from_db()
    assert thread.is_open


def test_a_blocking_concern_is_resolved_by_its_reviewer_or_by_the_owner_with_a_reason(
    doc, alice, bob, eddie
):
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Leak!", kind="blocking"
    )
    with pytest.raises(PermissionDenied):
        services.thread_resolve(thread=thread, user=eddie)
    with pytest.raises(ValidationError) as excinfo:
        services.thread_resolve(thread=thread, user=alice)
    assert "reason" in excinfo.value.message_dict
    thread.refresh_from_db()
    assert thread.is_open
    services.thread_resolve(thread=thread, user=alice, reason="Fixed in the data section.")
    thread.refresh_from_db()
    assert thread.resolution_reason == "Fixed in the data section."
    event = AuditEvent.objects.filter(action="thread_resolved").get()
    assert event.detail["reason"] == "Fixed in the data section." and event.actor == alice


def test_resolving_twice_is_an_error(doc, bob):
    thread = services.thread_open(document=doc, author=bob, section_key="s0", body_md="Q?")
    services.thread_resolve(thread=thread, user=bob)
    with pytest.raises(ValidationError):
        services.thread_resolve(thread=thread, user=bob)


# --- review requests and decisions ----------------------------------------------------


def test_requested_reviewers_are_notified_and_see_it_awaiting(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    assert status(doc) == "in_review"
    assert Notification.objects.filter(recipient=bob, kind="review_requested").count() == 1
    [waiting] = selectors.awaiting_review(bob)
    assert waiting.request.document_id == doc.pk and waiting.covered == ["s0", "s1", "s2"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["carol"], "carol is not a member of this team."),
        (["nobody"], "nobody is not a member of this team."),
        (["alice"], "alice wrote this document and cannot review it."),
        (["victor"], "victor is a viewer; an owner can make them a reviewer."),
        ([], "Choose at least one reviewer."),
    ],
)
def test_review_requests_only_name_team_members_who_may_review(doc, alice, cast, names, message):
    with pytest.raises(ValidationError) as excinfo:
        services.review_request(document=doc, requested_by=alice, usernames=names)
    assert excinfo.value.message_dict["reviewers"] == [message]
    assert not doc.review_requests.exists() and status(doc) == "draft"


def test_a_request_for_a_section_that_does_not_exist_is_refused(doc, alice, bob):
    with pytest.raises(ValidationError) as excinfo:
        services.review_request(
            document=doc, requested_by=alice, usernames=["bob"], section_keys=["ab_test"]
        )
    assert "sections" in excinfo.value.message_dict
    assert not doc.review_requests.exists()


def test_reviewers_cannot_request_reviews(doc, bob, eddie):
    with pytest.raises(PermissionDenied):
        services.review_request(document=doc, requested_by=bob, usernames=["eddie"])


def test_approving_without_a_request_is_refused(doc, bob):
    with pytest.raises(PermissionDenied):
        services.review_decide(document=doc, reviewer=bob, kind="approve", content_hash="x")
    assert not ReviewDecision.objects.exists()


def test_the_author_never_approves(doc, alice, eddie):
    add_member(doc.team, make_user("rita"), "reviewer")
    services.review_request(document=doc, requested_by=eddie, usernames=["rita"])
    with pytest.raises(PermissionDenied):
        services.review_decide(document=doc, reviewer=alice, kind="approve", content_hash="x")
    assert not ReviewDecision.objects.exists()


def test_an_approval_of_content_that_changed_since_it_was_loaded_is_refused(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    seen = selectors.signoff_state(doc).requests[0].covered_hash
    edit(doc, "s1", "New text", alice)
    with pytest.raises(ValidationError) as excinfo:
        services.review_decide(document=doc, reviewer=bob, kind="approve", content_hash=seen)
    assert excinfo.value.message_dict["content_hash"]
    assert not ReviewDecision.objects.exists() and status(doc) == "in_review"


def test_request_changes_needs_a_reason_and_stays_in_force_until_that_reviewer_approves(
    doc, alice, bob
):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    with pytest.raises(ValidationError):
        services.review_decide(document=doc, reviewer=bob, kind="request_changes")
    services.review_decide(
        document=doc, reviewer=bob, kind="request_changes", body_md="Add a baseline."
    )
    assert status(doc) == "changes_requested"
    edit(doc, "s1", "A baseline.", alice)
    assert status(doc) == "changes_requested"
    assert selectors.awaiting_review(bob), "the author's edit puts it back on bob's list"
    approve(doc, bob)
    assert status(doc) == "signed_off"


def test_sign_off_freezes_a_version_and_a_later_edit_reopens_review(doc, alice, bob):
    edit(doc, "s0", "Problem statement.", alice)
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    approve(doc, bob)
    assert status(doc) == "signed_off"
    version = SignedVersion.objects.get(document=doc)
    assert version.number == 1 and version.name == "Version 1"
    assert version.sections[0]["body_md"] == "Problem statement."
    assert version.approvals[0]["reviewer"] == "bob"
    assert Notification.objects.filter(kind="signed_off", recipient=alice).exists()

    edit(doc, "s0", "A new draft goes on.", alice)
    assert status(doc) == "in_review"
    state = selectors.signoff_state(doc)
    assert state.requests[0].status == "stale" and state.requests[0].changed == ["s0"]
    version.refresh_from_db()
    assert version.sections[0]["body_md"] == "Problem statement."


def test_editing_a_section_outside_an_approval_does_not_stale_it(doc, alice, bob, eddie):
    services.review_request(
        document=doc, requested_by=alice, usernames=["bob"], section_keys=["s2"]
    )
    services.review_request(document=doc, requested_by=alice, usernames=["eddie"])
    approve(doc, bob)
    edit(doc, "s0", "Only the first section.", alice)
    states = {s.request.reviewer.username: s for s in selectors.signoff_state(doc).requests}
    assert states["bob"].status == "approved"
    assert states["eddie"].status == "pending"


def test_sections_nobody_was_asked_to_review_block_sign_off(doc, alice, bob):
    services.review_request(
        document=doc, requested_by=alice, usernames=["bob"], section_keys=["s1"]
    )
    approve(doc, bob)
    state = selectors.signoff_state(doc)
    assert state.status == "in_review" and state.uncovered == ["s0", "s2"]
    assert "No reviewer covers: Section 0, Section 2." in state.blocking


def test_an_open_blocking_concern_blocks_sign_off_until_resolved(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Leak!", kind="blocking"
    )
    approve(doc, bob)
    assert status(doc) == "in_review"
    assert "1 blocking concern is open." in selectors.signoff_state(doc).blocking
    services.thread_resolve(thread=thread, user=bob)
    assert status(doc) == "signed_off"


def test_an_unwaived_checklist_error_blocks_sign_off(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    result = checklist_current(doc, list(doc.sections.all()))
    result.findings = [
        {
            "rule_id": "DOC-01",
            "severity": "error",
            "section": "s0",
            "field_paths": [],
            "message": "Missing.",
            "source": "",
        }
    ]
    result.save()
    approve(doc, bob)
    state = selectors.signoff_state(doc)
    assert state.status == "in_review" and state.unwaived_errors == 1


def test_every_action_writes_one_audit_row_and_status_changes_one_more(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    approve(doc, bob)
    actions = list(AuditEvent.objects.filter(document=doc).values_list("action", "detail"))
    assert [a for a, _ in actions] == [
        "review_requested",
        "status_changed",
        "approved",
        "status_changed",
    ]
    assert actions[1][1] == {"old": "draft", "new": "in_review"}
    assert actions[3][1] == {"old": "in_review", "new": "signed_off", "version": 1}


def test_audit_rows_cannot_be_changed(doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    event = AuditEvent.objects.first()
    event.action = "approved"
    with pytest.raises(ValueError):
        event.save()


def test_withdrawing_the_only_request_returns_the_document_to_draft(doc, alice, bob):
    [request] = services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    services.review_withdraw(request=request, user=alice)
    assert status(doc) == "draft" and not selectors.awaiting_review(bob)


def test_people_who_left_the_team_are_not_notified(doc, alice, bob):
    thread = services.thread_open(
        document=doc, author=bob, section_key="s0", body_md="Leak!", kind="blocking"
    )
    doc.team.memberships.filter(user=bob).delete()
    services.thread_resolve(thread=thread, user=alice, reason="Handled after bob left.")
    assert not Notification.objects.filter(recipient=bob, kind="concern_resolved").exists()


def test_leaving_the_team_or_becoming_a_viewer_withdraws_review_requests(doc, alice, bob, eddie):
    services.review_request(document=doc, requested_by=alice, usernames=["bob", "eddie"])
    services.review_decide(
        document=doc,
        reviewer=eddie,
        kind="approve",
        content_hash=selectors.signoff_state(doc).requests[1].covered_hash,
    )
    assert status(doc) == "in_review"
    membership_remove(membership=doc.team.memberships.get(user=bob))
    assert status(doc) == "signed_off", "sign-off no longer waits for bob"
    membership_change_role(membership=doc.team.memberships.get(user=eddie), role="viewer")
    assert status(doc) == "draft" and not doc.review_requests.filter(withdrawn_at=None).exists()
    withdrawn = AuditEvent.objects.filter(action="review_withdrawn").values_list(
        "detail", flat=True
    )
    assert [d["reviewer"] for d in withdrawn] == ["bob", "eddie"]
