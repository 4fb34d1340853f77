"""The review workflow as a Hypothesis state machine: edits, requests, approvals, change
requests, comments, blocking concerns and withdrawals in any order, by allowed and refused
people, with the invariants of sign-off checked after every step."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from apps.checklists.selectors import checklist_current
from apps.documents.models import Document, Section, document_content_hash
from apps.documents.services import section_save
from apps.reviews import selectors, services
from apps.reviews.models import (
    AuditEvent,
    Comment,
    ReviewDecision,
    ReviewRequest,
    SignedVersion,
    Thread,
)
from tests.factories import make_document, make_team, make_template, make_user

KEYS = ["s0", "s1", "s2"]
PEOPLE = ["alice", "bob", "eddie", "rita", "victor", "carol"]
TEXTS = ["First draft.", "Second draft.", "Third draft."]


class ReviewWorkflow(RuleBasedStateMachine):
    """alice owns the document; bob and rita review; eddie edits; victor views; carol is on
    another team. The model counts the audit rows every successful action must write."""

    @initialize(in_review=st.sampled_from([True, True, False]))
    def setup(self, in_review):
        # Each example runs in its own savepoint, rolled back in teardown.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        suffix = str(id(self))
        self.users = {name: make_user(f"{name}{suffix}") for name in PEOPLE}
        u = self.users
        team = make_team(
            f"Team {suffix}",
            {u["alice"]: "owner", u["bob"]: "reviewer", u["rita"]: "reviewer",
             u["eddie"]: "editor", u["victor"]: "viewer"},
        )  # fmt: skip
        make_team(f"Other {suffix}", {u["carol"]: "owner"})
        self.doc = make_document(team, u["alice"], template=make_template(f"t{suffix}"))
        for key in KEYS:
            self._save(key, f"What {key} says.", "alice")
        self.expected_audit = 0
        self.last_status = Document.Status.DRAFT
        self.stale_hashes: dict[str, str] = {}
        if in_review:
            self._request("alice", ["bob"], [])

    def teardown(self):
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    # --- helpers ---

    def _doc(self) -> Document:
        return Document.objects.select_related("template", "team").get(pk=self.doc.pk)

    def _save(self, key, text, who):
        section = Section.objects.select_related("document", "spec").get(document=self.doc, key=key)
        return section_save(section=section, body_md=text, author=self.users[who])

    def _rows(self):
        return (
            Thread.objects.filter(document=self.doc).count(),
            Comment.objects.filter(thread__document=self.doc).count(),
            ReviewRequest.objects.filter(document=self.doc).count(),
            ReviewDecision.objects.filter(document=self.doc).count(),
            AuditEvent.objects.filter(document=self.doc).count(),
            list(ReviewRequest.objects.filter(document=self.doc).values_list("withdrawn_at")),
            list(Thread.objects.filter(document=self.doc).values_list("status")),
        )

    def _attempt(self, action, *, actions: int = 1):
        """Run `action`; a refusal must change nothing, a success adds `actions` audit rows plus
        one for a status change."""
        before = self._rows()
        try:
            with transaction.atomic():
                result = action()
        except (ValidationError, PermissionDenied):
            assert self._rows() == before, "a refused action changed something"
            return None
        self.expected_audit += actions
        status = self._doc().status
        if status != self.last_status:
            self.expected_audit += 1
            self.last_status = status
        return result

    # --- rules ---

    @rule(
        key=st.sampled_from(KEYS),
        text=st.sampled_from(TEXTS),
        who=st.sampled_from(["alice", "eddie"]),
    )
    def edit(self, key, text, who):
        state = selectors.signoff_state(self._doc())
        for request_state in state.requests:
            self.stale_hashes[request_state.request.reviewer.username] = request_state.covered_hash
        before = Section.objects.get(document=self.doc, key=key).content_hash
        self._attempt(lambda: self._save(key, text, who), actions=0)
        after = Section.objects.get(document=self.doc, key=key).content_hash
        if before != after:
            # Content a reviewer did not approve is never approved: an approval is current
            # only while the section holds exactly the content it recorded.
            for request_state in selectors.signoff_state(self._doc()).requests:
                decision = request_state.decision
                if (
                    key in request_state.covered
                    and decision is not None
                    and decision.section_hashes.get(key) != after
                ):
                    assert request_state.status != "approved", "an edit must stale approvals"

    def _request(self, who, names, keys):
        real = [self.users[n].username if n in self.users else n for n in names]
        return self._attempt(
            lambda: services.review_request(
                document=self._doc(),
                requested_by=self.users[who],
                usernames=real,
                section_keys=keys,
            ),
            actions=len(dict.fromkeys(real)),
        )

    @rule(
        who=st.sampled_from(["alice", "eddie"]),
        names=st.lists(st.sampled_from(["bob", "rita"]), min_size=1, max_size=2),
        keys=st.one_of(st.just([]), st.lists(st.sampled_from(KEYS), min_size=1, max_size=2)),
    )
    def request_review(self, who, names, keys):
        assert self._request(who, names, keys) is not None

    @rule(
        who=st.sampled_from(["alice", "eddie", "bob", "victor"]),
        names=st.lists(st.sampled_from([*PEOPLE, "nobody"]), max_size=2),
        keys=st.lists(st.sampled_from([*KEYS, "nope"]), max_size=2),
    )
    def request_review_maybe_refused(self, who, names, keys):
        if self._request(who, names, keys) is not None:
            assert who in {"alice", "eddie"}
            assert names and not set(names) & {"alice", "victor", "carol", "nobody"}
            assert "nope" not in keys

    @rule(who=st.sampled_from(["bob", "rita", "bob", "rita", "eddie", "alice", "carol"]),
          stale=st.sampled_from([False, False, True]))  # fmt: skip
    def approve(self, who, stale):
        user = self.users[who]
        state = selectors.signoff_state(self._doc())
        mine = next((s for s in state.requests if s.request.reviewer_id == user.pk), None)
        seen = self.stale_hashes.get(user.username) if stale else None
        seen = seen or (mine.covered_hash if mine else "no-request")
        result = self._attempt(
            lambda: services.review_decide(
                document=self._doc(), reviewer=user, kind="approve", content_hash=seen
            )
        )
        if result is not None:
            assert who != "alice" and mine is not None and seen == mine.covered_hash

    @rule(
        who=st.sampled_from(["bob", "rita", "eddie"]), body=st.sampled_from(["", "Add a baseline."])
    )
    def request_changes(self, who, body):
        result = self._attempt(
            lambda: services.review_decide(
                document=self._doc(), reviewer=self.users[who], kind="request_changes", body_md=body
            )
        )
        if result is not None:
            assert body

    @rule(
        who=st.sampled_from(["bob", "victor", "carol"]),
        key=st.sampled_from([*KEYS, "nope"]),
        kind=st.sampled_from(["question", "blocking", "praise"]),
    )
    def comment(self, who, key, kind):
        self._attempt(
            lambda: services.thread_open(
                document=self._doc(),
                author=self.users[who],
                section_key=key,
                body_md="What about the data?",
                kind=kind,
            )
        )

    @rule(
        who=st.sampled_from(["bob", "alice", "eddie", "victor"]),
        reason=st.sampled_from(["", "Fixed upstream."]),
    )
    def resolve(self, who, reason):
        thread = Thread.objects.filter(document=self.doc, status="open").first()
        if thread is None:
            return
        thread.document = self._doc()
        self._attempt(
            lambda: services.thread_resolve(thread=thread, user=self.users[who], reason=reason)
        )

    @rule(who=st.sampled_from(["alice", "bob"]))
    def withdraw(self, who):
        request = ReviewRequest.objects.filter(document=self.doc, withdrawn_at__isnull=True).first()
        if request is None:
            return
        request.document = self._doc()
        self._attempt(lambda: services.review_withdraw(request=request, user=self.users[who]))

    # --- invariants ---

    @invariant()
    def status_is_what_the_reviews_say(self):
        if not hasattr(self, "doc"):
            return
        doc = self._doc()
        assert doc.status == selectors.signoff_state(doc).status

    @invariant()
    def signed_off_means_current_approvals_of_everything(self):
        if not hasattr(self, "doc"):
            return
        doc = self._doc()
        if doc.status != Document.Status.SIGNED_OFF:
            return
        sections = list(Section.objects.filter(document=doc).order_by("position"))
        current = {s.key: s.content_hash for s in sections}
        requests = list(ReviewRequest.objects.filter(document=doc, withdrawn_at__isnull=True))
        assert requests
        covered = set()
        for request in requests:
            latest = (
                ReviewDecision.objects.filter(
                    document=doc, reviewer=request.reviewer, kind__in=["approve", "request_changes"]
                )
                .order_by("-created_at", "-id")
                .first()
            )
            keys = request.covered_keys([s.key for s in sections])
            assert latest is not None and latest.kind == "approve"
            assert {k: latest.section_hashes.get(k) for k in keys} == {k: current[k] for k in keys}
            covered |= set(keys)
        assert covered == set(current)
        assert not Thread.objects.filter(document=doc, kind="blocking", status="open").exists()
        result = checklist_current(doc, sections)
        assert result is not None and result.error_count == 0
        version = SignedVersion.objects.filter(document=doc).order_by("-number").first()
        assert version.content_hash == document_content_hash(sections)

    @invariant()
    def the_author_never_approves(self):
        if hasattr(self, "doc"):
            assert not ReviewDecision.objects.filter(
                document=self.doc, reviewer=self.users["alice"]
            ).exists()

    @invariant()
    def audit_rows_equal_state_changes(self):
        if hasattr(self, "doc"):
            assert AuditEvent.objects.filter(document=self.doc).count() == self.expected_audit


@pytest.mark.django_db
def test_the_review_workflow_keeps_its_invariants():
    machine = ReviewWorkflow.TestCase
    machine.settings = settings(
        max_examples=30,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine().runTest()
