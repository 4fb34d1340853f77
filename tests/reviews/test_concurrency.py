"""On PostgreSQL, an edit racing an approval never yields a sign-off of content nobody approved.

Each thread has its own connection, so the document row lock taken by `section_save` and by
every review write meets real concurrency; SQLite serializes writers and cannot show it, so these
tests need PostgreSQL (skipped locally without it, a failure in CI).
"""

import threading

import pytest
from django.db import connection, connections, transaction

from apps.documents.models import Document, Section, document_content_hash
from apps.documents.services import section_save
from apps.reviews import selectors, services
from apps.reviews.models import ReviewDecision, SignedVersion
from tests.conftest import need_service

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 25


@pytest.fixture
def pg(db):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL for real row locks (set DATABASE_URL)")


def in_thread(work, results, key, start=None):
    def run():
        try:
            if start is not None:
                start.wait(timeout=30)
            results[key] = work()
        except Exception as exc:  # the test inspects every outcome
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def assert_no_unapproved_sign_off(doc, reviewer):
    doc = Document.objects.get(pk=doc.pk)
    sections = list(Section.objects.filter(document=doc).order_by("position"))
    if doc.status != Document.Status.SIGNED_OFF:
        return False
    current = {s.key: s.content_hash for s in sections}
    approval = (
        ReviewDecision.objects.filter(document=doc, reviewer=reviewer, kind="approve")
        .order_by("-created_at")
        .first()
    )
    assert approval is not None and approval.section_hashes == current
    latest = SignedVersion.objects.filter(document=doc).order_by("-number").first()
    assert latest.content_hash == document_content_hash(sections)
    return True


def section_hashes(doc) -> dict[str, str]:
    return dict(Section.objects.filter(document=doc).values_list("key", "content_hash"))


def assert_signed_versions_were_approved(doc):
    """Every section of every signed version holds content some approval recorded."""
    approved = [
        d.section_hashes for d in ReviewDecision.objects.filter(document=doc, kind="approve")
    ]
    for version in SignedVersion.objects.filter(document=doc):
        for section in version.sections:
            key, content = section["key"], section["content_hash"]
            assert any(hashes.get(key) == content for hashes in approved), (version.number, key)
        assert version.content_hash == document_content_hash(
            [Section(key=s["key"], content_hash=s["content_hash"]) for s in version.sections]
        )


def test_an_approval_waits_for_an_edit_in_flight_and_then_sees_it(pg, doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    seen = selectors.signoff_state(doc).requests[0].covered_hash
    edited, release = threading.Event(), threading.Event()
    results: dict = {}

    def edit():
        with transaction.atomic():
            section = Section.objects.select_related("document", "spec").get(document=doc, key="s1")
            section_save(section=section, body_md="Edited while bob approves.", author=alice)
            edited.set()
            release.wait(timeout=30)  # hold the transaction (and the document lock) open

    def approve():
        document = Document.objects.select_related("template").get(pk=doc.pk)
        return services.review_decide(
            document=document, reviewer=bob, kind="approve", content_hash=seen
        )

    editor = in_thread(edit, results, "edit")
    assert edited.wait(timeout=30)
    approver = in_thread(approve, results, "approve")
    approver.join(timeout=1.0)
    assert approver.is_alive(), "the approval must wait for the edit's lock"
    release.set()
    editor.join(timeout=30)
    approver.join(timeout=30)
    assert results["edit"] is None
    assert isinstance(results["approve"], services.StaleApproval), results["approve"]
    assert not ReviewDecision.objects.exists()
    assert Document.objects.get(pk=doc.pk).status == Document.Status.IN_REVIEW


def test_racing_edits_and_approvals_never_sign_off_unapproved_content(pg, doc, alice, bob):
    services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    outcomes = {"signed_off": 0, "stale": 0, "approved_then_staled": 0}
    for round_ in range(ROUNDS):
        seen = selectors.signoff_state(doc).requests[0].covered_hash
        seen_hashes = section_hashes(doc)
        start = threading.Barrier(2)
        results: dict = {}

        def edit(round_=round_, start=start):
            start.wait(timeout=30)
            section = Section.objects.select_related("document", "spec").get(
                document=doc, key=f"s{round_ % 3}"
            )
            return section_save(section=section, body_md=f"Round {round_}.", author=alice)

        def approve(seen=seen, start=start):
            start.wait(timeout=30)
            document = Document.objects.select_related("template").get(pk=doc.pk)
            return services.review_decide(
                document=document, reviewer=bob, kind="approve", content_hash=seen
            )

        threads = [in_thread(edit, results, "edit"), in_thread(approve, results, "approve")]
        for thread in threads:
            thread.join(timeout=60)
        assert isinstance(results["edit"], Section), results["edit"]
        approval = results["approve"]
        if isinstance(approval, services.StaleApproval):
            outcomes["stale"] += 1
        else:
            assert isinstance(approval, ReviewDecision), approval
            # The approval landed first, so it saw the old content: the edit staled it.
            assert approval.section_hashes == seen_hashes, "recorded content bob did not see"
            outcomes["approved_then_staled"] += 1
        if assert_no_unapproved_sign_off(doc, bob):
            outcomes["signed_off"] += 1
        # An edit always lands in each round, after or before the approval: never signed off.
        assert outcomes["signed_off"] == 0, outcomes
        assert_signed_versions_were_approved(doc)
    assert outcomes["stale"] + outcomes["approved_then_staled"] == ROUNDS


def test_racing_approvals_of_the_same_content_sign_off_once(pg, doc, alice, bob, eddie):
    services.review_request(document=doc, requested_by=alice, usernames=["bob", "eddie"])
    hashes = {
        s.request.reviewer.username: s.covered_hash for s in selectors.signoff_state(doc).requests
    }
    start = threading.Barrier(2)
    results: dict = {}

    def approve(user):
        def work():
            start.wait(timeout=30)
            document = Document.objects.select_related("template").get(pk=doc.pk)
            return services.review_decide(
                document=document,
                reviewer=user,
                kind="approve",
                content_hash=hashes[user.username],
            )

        return work

    threads = [in_thread(approve(bob), results, "bob"), in_thread(approve(eddie), results, "eddie")]
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, ReviewDecision) for r in results.values()), results
    assert Document.objects.get(pk=doc.pk).status == Document.Status.SIGNED_OFF
    assert SignedVersion.objects.filter(document=doc).count() == 1
    assert assert_no_unapproved_sign_off(doc, bob)


def test_an_approval_racing_an_edit_of_a_section_it_does_not_cover(pg, doc, alice, bob, eddie):
    """bob covers s0, eddie s1 and s2. Each round: s0 changes (bob's approval goes stale),
    eddie approves, then bob's approval of s0 races an edit of s2. The edit never stales bob's
    approval, but it always stales eddie's: a sign-off between the two is frozen with the
    content before the edit, and the round ends in review."""
    services.review_request(
        document=doc, requested_by=alice, usernames=["bob"], section_keys=["s0"]
    )
    services.review_request(
        document=doc, requested_by=alice, usernames=["eddie"], section_keys=["s1", "s2"]
    )
    outcomes = {"approval_first": 0, "edit_first": 0}
    for round_ in range(ROUNDS):
        section_save(
            section=doc.sections.select_related("document", "spec").get(key="s0"),
            body_md=f"s0 in round {round_}.",
            author=alice,
        )
        states = {s.request.reviewer.username: s for s in selectors.signoff_state(doc).requests}
        services.review_decide(
            document=doc, reviewer=eddie, kind="approve", content_hash=states["eddie"].covered_hash
        )
        assert Document.objects.get(pk=doc.pk).status == Document.Status.IN_REVIEW
        seen, seen_s0 = states["bob"].covered_hash, section_hashes(doc)["s0"]
        before_edit = document_content_hash(list(doc.sections.order_by("position")))
        versions = SignedVersion.objects.filter(document=doc).count()
        start = threading.Barrier(2)
        results: dict = {}

        def edit(round_=round_, start=start):
            start.wait(timeout=30)
            section = Section.objects.select_related("document", "spec").get(document=doc, key="s2")
            return section_save(section=section, body_md=f"s2 in round {round_}.", author=alice)

        def approve(seen=seen, start=start):
            start.wait(timeout=30)
            document = Document.objects.select_related("template").get(pk=doc.pk)
            return services.review_decide(
                document=document, reviewer=bob, kind="approve", content_hash=seen
            )

        threads = [in_thread(edit, results, "edit"), in_thread(approve, results, "approve")]
        for thread in threads:
            thread.join(timeout=60)
        assert isinstance(results["edit"], Section), results["edit"]
        approval = results["approve"]
        # An edit of a section bob does not cover never stales his approval.
        assert isinstance(approval, ReviewDecision), approval
        assert approval.section_hashes == {"s0": seen_s0}
        assert Document.objects.get(pk=doc.pk).status == Document.Status.IN_REVIEW
        new_versions = list(SignedVersion.objects.filter(document=doc, number__gt=versions))
        if new_versions:
            # Signed off between the approval and the edit: frozen with the content before it.
            outcomes["approval_first"] += 1
            assert [v.content_hash for v in new_versions] == [before_edit]
        else:
            outcomes["edit_first"] += 1
        assert_signed_versions_were_approved(doc)
    assert sum(outcomes.values()) == ROUNDS
