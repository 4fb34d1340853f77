"""The review workflow against an independent model, as a Hypothesis state machine.

The model keeps its own copy of what matters (section texts, who is asked to review what, each
reviewer's latest verdict and the hashes it saw, open blocking concerns, memberships) and from
it predicts, before every action, whether the action is allowed, and after it, the document's
status, the audit rows and the signed versions. The database is then read fresh and compared:
a refusal the model did not expect, a success it did not expect, a status the model does not
derive, or a sign-off of content some reviewer did not approve fails the test.

Actors include people who may not act (the author approving, a viewer raising a blocking
concern, a non-member requesting a review...), so refusals are exercised and must change
nothing. Each example runs in a savepoint that teardown rolls back (the users have the cast's
fixed names: a leak would break the next example's setup).
"""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from apps.accounts.models import Team
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
from tests.factories import add_member, make_document, make_team, make_template, make_user

KEYS = ["s0", "s1", "s2"]
# rita joins the team as a reviewer only when the `rita_joins` rule runs; "nobody" has no account.
PEOPLE = ["alice", "bob", "eddie", "victor", "carol", "rita"]
NAMES = [*PEOPLE, "nobody"]
TEXTS = ["First draft.", "Second draft.", "A *third* draft.", ""]
ROLES = {"alice": "owner", "bob": "reviewer", "eddie": "editor", "victor": "viewer"}
REVIEW_ROLES = {"owner", "reviewer", "editor"}
Status = Document.Status


def hash_of(text: str) -> str:
    return Section.hash_content(text, {})


class Model:
    """What the workflow should be, kept without reading the database."""

    def __init__(self):
        self.texts = {key: f"What {key} says." for key in KEYS}
        self.roles = dict(ROLES)
        self.requests: dict[str, list[str]] = {}  # reviewer -> covered keys, in document order
        self.verdicts: dict[str, tuple[str, dict]] = {}  # reviewer -> (kind, section hashes)
        self.threads: list[dict] = []  # {pk, kind, raiser, open}
        self.audit = 0
        self.status = Status.DRAFT
        self.versions = 0
        self.signed_hash = None
        # Each requested reviewer's covered hash just before the latest edit: a stale view.
        self.seen_before_edit: dict[str, str] = {}

    def hashes(self) -> dict[str, str]:
        return {key: hash_of(text) for key, text in self.texts.items()}

    def covered_hash(self, keys) -> str:
        hashes = self.hashes()
        return document_content_hash(
            [SimpleNamespace(key=k, content_hash=hashes[k]) for k in KEYS if k in keys]
        )

    def content_hash(self) -> str:
        return self.covered_hash(KEYS)

    def request_status(self, reviewer: str) -> str:
        verdict = self.verdicts.get(reviewer)
        if verdict is None:
            return "pending"
        kind, seen = verdict
        if kind == "request_changes":
            return "changes_requested"
        hashes = self.hashes()
        if any(seen.get(k) != hashes[k] for k in self.requests[reviewer]):
            return "stale"
        return "approved"

    def predicted_status(self, checklist_errors: int) -> str:
        if not self.requests:
            return Status.DRAFT
        statuses = {self.request_status(r) for r in self.requests}
        if "changes_requested" in statuses:
            return Status.CHANGES_REQUESTED
        covered = {k for keys in self.requests.values() for k in keys}
        blocking = any(t["open"] and t["kind"] == "blocking" for t in self.threads)
        if statuses == {"approved"} and covered == set(KEYS) and not (blocking or checklist_errors):
            return Status.SIGNED_OFF
        return Status.IN_REVIEW

    def can(self, who: str, need: str) -> bool:
        role = self.roles.get(who)
        if role is None:
            return False
        return {
            "comment": True,
            "review": role in REVIEW_ROLES,
            "edit": role in {"owner", "editor"},
        }[need]


class ReviewWorkflowModel(RuleBasedStateMachine):
    @initialize(start=st.sampled_from(["draft", "bob", "bob", "bob and eddie"]))
    def setup(self, start):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        assert not Document.objects.exists(), "a previous example leaked rows"
        self.users = {name: make_user(name) for name in PEOPLE}
        u = self.users
        self.team = make_team("Ads ranking", {u[n]: role for n, role in ROLES.items()})
        make_team("Search quality", {u["carol"]: "owner"})
        self.doc_pk = make_document(self.team, u["alice"], template=make_template(sections=3)).pk
        self.model = Model()
        for key, text in self.model.texts.items():
            self._save(key, text, "alice")
        assert AuditEvent.objects.filter(document=self.doc_pk).count() == 0
        assert self._db_status() == Status.DRAFT
        if start == "bob":
            self._request("alice", ["bob"], [])
        elif start == "bob and eddie":
            self._request("alice", ["bob"], ["s0", "s1"])
            self._request("eddie", ["eddie"], ["s1", "s2"])

    def teardown(self):
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    # --- reading the database ---

    def _doc(self) -> Document:
        """A fresh document (and team, so no role is cached from an earlier step)."""
        return Document.objects.select_related("template", "team").get(pk=self.doc_pk)

    def _db_status(self) -> str:
        return Document.objects.values_list("status", flat=True).get(pk=self.doc_pk)

    def _sections(self) -> list[Section]:
        return list(Section.objects.filter(document=self.doc_pk).order_by("position"))

    def _checklist_errors(self) -> int:
        result = checklist_current(self._doc(), self._sections())
        assert result is not None, "every save runs the checklist"
        return result.error_count  # nothing is waived in this test

    def _rows(self):
        doc = self.doc_pk
        return {
            "threads": list(Thread.objects.filter(document=doc).values_list("pk", "status")),
            "comments": Comment.objects.filter(thread__document=doc).count(),
            "requests": list(
                ReviewRequest.objects.filter(document=doc).values_list(
                    "pk", "section_keys", "withdrawn_at"
                )
            ),
            "decisions": ReviewDecision.objects.filter(document=doc).count(),
            "audit": AuditEvent.objects.filter(document=doc).count(),
            "versions": SignedVersion.objects.filter(document=doc).count(),
            "sections": list(
                Section.objects.filter(document=doc).values_list("key", "version", "content_hash")
            ),
            "status": self._db_status(),
        }

    def _save(self, key, text, who):
        section = Section.objects.select_related("document", "spec").get(
            document=self.doc_pk, key=key
        )
        return section_save(section=section, body_md=text, author=self.users[who])

    # --- running an action against the model ---

    def _attempt(self, expected: bool, action, apply=None, rows: int = 1):
        """Run `action`. The model says whether it may succeed; a refusal changes nothing; a
        success writes `rows` audit rows, plus one when the status changes."""
        before = self._rows()
        try:
            with transaction.atomic():
                result = action()
        except (ValidationError, PermissionDenied) as exc:
            assert self._rows() == before, "a refused action changed something"
            assert not expected, f"the model expected this to succeed: {exc!r}"
            event(f"refused: {type(exc).__name__}")
            return None
        assert expected, "the model expected a refusal"
        if apply is not None:
            apply(result)
        model = self.model
        model.audit += rows
        status = model.predicted_status(self._checklist_errors())
        if status != model.status:
            model.audit += 1
            if status == Status.SIGNED_OFF and model.content_hash() != model.signed_hash:
                model.versions += 1
                model.signed_hash = model.content_hash()
            model.status = status
            event(f"status became {status}")
        return result if result is not None else True

    # --- rules ---

    @rule(
        key=st.sampled_from(KEYS),
        text=st.one_of(st.sampled_from(TEXTS), st.just(None)),
        who=st.sampled_from(["alice", "eddie"]),
    )
    def edit(self, key, text, who):
        """Save a section; `None` saves the same text again (a new version, the same hash)."""
        model = self.model
        text = model.texts[key] if text is None else text
        for reviewer, keys in model.requests.items():
            model.seen_before_edit[reviewer] = model.covered_hash(keys)
        old = model.hashes()[key]
        versions = Section.objects.get(document=self.doc_pk, key=key).version

        def apply(section):
            model.texts[key] = text

        assert self._attempt(True, lambda: self._save(key, text, who), apply, rows=0)
        assert Section.objects.get(document=self.doc_pk, key=key).version == versions + 1
        if hash_of(text) == old:
            return
        # The edit changed the section: every approval that did not see this content is stale.
        sections = self._sections()
        states = selectors.signoff_state(self._doc(), sections).requests
        for state in states:
            seen = state.decision.section_hashes if state.decision else {}
            if key in state.covered and seen.get(key) != hash_of(text):
                assert state.status != "approved", "an edit must stale the approvals it changes"

    @precondition(lambda self: "rita" not in self.model.roles)
    @rule()
    def rita_joins(self):
        """A new reviewer joins the team (before this, rita is a non-member)."""
        add_member(Team.objects.get(pk=self.team.pk), self.users["rita"], "reviewer")
        self.model.roles["rita"] = "reviewer"

    def _request(self, who, names, keys):
        model = self.model
        distinct = list(dict.fromkeys(names))
        expected = (
            model.can(who, "edit")
            and bool(distinct)
            and all(n != "alice" and model.can(n, "review") for n in distinct)
            and set(keys) <= set(KEYS)
        )
        covered = [k for k in KEYS if k in keys] if keys else list(KEYS)

        def apply(requests):
            assert sorted(r.reviewer.username for r in requests) == sorted(distinct)
            for name in distinct:
                model.requests[name] = covered

        user = self.users.get(who)
        self._attempt(
            expected,
            lambda: services.review_request(
                document=self._doc(), requested_by=user, usernames=names, section_keys=keys
            ),
            apply,
            rows=len(distinct),
        )

    @rule(
        args=st.one_of(
            # Mostly people who may ask people who may review...
            st.tuples(
                st.sampled_from(["alice", "eddie"]),
                st.lists(st.sampled_from(["bob", "eddie", "rita"]), min_size=1, max_size=2),
                st.one_of(st.just([]), st.lists(st.sampled_from(KEYS), min_size=1, max_size=2)),
            ),
            # ...and sometimes anyone asking anyone (the author, a viewer, a stranger) for
            # anything (an unknown section, nobody at all).
            st.tuples(
                st.sampled_from(["alice", "eddie", "bob", "victor", "carol"]),
                st.lists(st.sampled_from(NAMES), max_size=3),
                st.lists(st.sampled_from([*KEYS, "nope"]), max_size=2),
            ),
        )
    )
    def request_review(self, args):
        self._request(*args)

    def _reviewer(self, pick) -> str:
        """A name, or (for an index) one of the people asked to review, when there are any."""
        if isinstance(pick, str):
            return pick
        asked = sorted(self.model.requests)
        return asked[pick % len(asked)] if asked else "bob"

    @rule(
        pick=st.one_of(st.integers(0, 3), st.sampled_from(["eddie", "alice", "victor", "carol"])),
        stale=st.sampled_from([False, False, True]),
    )
    def approve(self, pick, stale):
        """Approve what the reviewer sees now, or what they saw before the latest edit."""
        self._approve(self._reviewer(pick), stale)

    @precondition(lambda self: self.model.requests)
    @rule()
    def everyone_approves(self):
        """Every reviewer asked approves what they see now (sign-off comes within reach)."""
        for who in sorted(self.model.requests):
            self._approve(who, stale=False)

    @precondition(lambda self: self.model.requests)
    @rule(
        pick=st.integers(0, 3),
        key=st.sampled_from(KEYS),
        text=st.sampled_from(TEXTS),
        who=st.sampled_from(["alice", "eddie"]),
    )
    def approve_what_was_loaded_before_an_edit(self, pick, key, text, who):
        """A reviewer loads the document, someone saves a section, the reviewer approves what
        they loaded: refused when a section they cover changed, recorded otherwise."""
        self.edit(key, text, who)
        self._approve(self._reviewer(pick), stale=True)

    def _approve(self, who, stale):
        model = self.model
        covered = model.requests.get(who, KEYS)
        current = model.covered_hash(covered)
        seen = model.seen_before_edit.get(who, current) if stale else current
        expected = (
            who != "alice"
            and model.can(who, "review")
            and who in model.requests
            and seen == current
        )

        def apply(decision):
            assert decision.kind == "approve"
            # The approval records exactly the content its reviewer saw.
            hashes = model.hashes()
            assert decision.section_hashes == {k: hashes[k] for k in covered}
            model.verdicts[who] = ("approve", decision.section_hashes)

        self._attempt(
            expected,
            lambda: services.review_decide(
                document=self._doc(), reviewer=self.users[who], kind="approve", content_hash=seen
            ),
            apply,
        )

    @rule(
        pick=st.one_of(st.integers(0, 3), st.sampled_from(["rita", "alice", "victor"])),
        body=st.sampled_from(["Add a baseline.", "Add a baseline.", "", "   "]),
    )
    def request_changes(self, pick, body):
        model = self.model
        who = self._reviewer(pick)
        expected = (
            who != "alice"
            and model.can(who, "review")
            and who in model.requests
            and bool(body.strip())
        )

        def apply(decision):
            hashes = model.hashes()
            assert decision.section_hashes == {k: hashes[k] for k in model.requests[who]}
            model.verdicts[who] = ("request_changes", decision.section_hashes)

        self._attempt(
            expected,
            lambda: services.review_decide(
                document=self._doc(),
                reviewer=self.users[who],
                kind="request_changes",
                body_md=body,
            ),
            apply,
        )

    @rule(who=st.sampled_from(PEOPLE), body=st.sampled_from(["Looks close.", ""]))
    def review_comment(self, who, body):
        """A review comment (not a verdict): anyone on the team, the author included."""
        self._attempt(
            self.model.can(who, "comment") and bool(body),
            lambda: services.review_decide(
                document=self._doc(), reviewer=self.users[who], kind="comment", body_md=body
            ),
        )

    @rule(
        who=st.sampled_from(PEOPLE),
        key=st.sampled_from([*KEYS, "nope"]),
        kind=st.sampled_from(["question", "blocking", "blocking", "praise"]),
        body=st.sampled_from(["What about the data?", "What about the data?", ""]),
    )
    def open_thread(self, who, key, kind, body):
        model = self.model
        expected = (
            model.can(who, "comment")
            and key in KEYS
            and bool(body)
            and (kind != "blocking" or model.can(who, "review"))
        )

        def apply(thread):
            model.threads.append({"pk": thread.pk, "kind": kind, "raiser": who, "open": True})

        self._attempt(
            expected,
            lambda: services.thread_open(
                document=self._doc(),
                author=self.users[who],
                section_key=key,
                body_md=body,
                kind=kind,
            ),
            apply,
        )

    def _thread(self, index):
        entry = self.model.threads[index % len(self.model.threads)]
        thread = Thread.objects.select_related("document__template", "document__team").get(
            pk=entry["pk"]
        )
        return entry, thread

    @precondition(lambda self: self.model.threads)
    @rule(index=st.integers(0, 9), who=st.sampled_from(PEOPLE), body=st.sampled_from(["+1", ""]))
    def reply(self, index, who, body):
        _entry, thread = self._thread(index)
        self._attempt(
            self.model.can(who, "comment") and bool(body),
            lambda: services.comment_add(thread=thread, author=self.users[who], body_md=body),
        )

    def _may_resolve(self, entry, who) -> bool:
        # alice is both the author and the team's owner.
        return who == entry["raiser"] or self.model.roles.get(who) == "owner"

    @precondition(lambda self: self.model.threads)
    @rule(
        index=st.integers(0, 9),
        who=st.sampled_from(["alice", "bob", "eddie", "victor", "rita", "carol"]),
        reason=st.sampled_from(["", "Fixed in s1."]),
    )
    def resolve(self, index, who, reason):
        """By the raiser; by the owner, who must say why for someone else's blocking concern;
        by anyone else: refused."""
        entry, thread = self._thread(index)
        overriding = entry["kind"] == "blocking" and who != entry["raiser"]
        expected = (
            entry["open"] and self._may_resolve(entry, who) and (bool(reason) or not overriding)
        )

        def apply(result):
            entry["open"] = False

        self._attempt(
            expected,
            lambda: services.thread_resolve(thread=thread, user=self.users[who], reason=reason),
            apply,
        )

    @precondition(lambda self: any(not t["open"] for t in self.model.threads))
    @rule(index=st.integers(0, 9), who=st.sampled_from(["alice", "bob", "eddie", "victor"]))
    def reopen(self, index, who):
        entry, thread = self._thread(index)

        def apply(result):
            entry["open"] = True

        self._attempt(
            not entry["open"] and self._may_resolve(entry, who),
            lambda: services.thread_reopen(thread=thread, user=self.users[who]),
            apply,
        )

    @precondition(lambda self: self.model.requests)
    @rule(
        reviewer=st.sampled_from(["bob", "eddie", "rita"]),
        who=st.sampled_from(["alice", "eddie", "bob", "victor"]),
    )
    def withdraw(self, reviewer, who):
        model = self.model
        if reviewer not in model.requests:
            reviewer = sorted(model.requests)[0]
        request = ReviewRequest.objects.select_related("document__team", "reviewer").get(
            document=self.doc_pk, reviewer=self.users[reviewer], withdrawn_at__isnull=True
        )

        def apply(result):
            del model.requests[reviewer]

        self._attempt(
            model.can(who, "edit"),
            lambda: services.review_withdraw(request=request, user=self.users[who]),
            apply,
        )

    # --- invariants, on the database read fresh ---

    def _ready(self) -> bool:
        return hasattr(self, "model")

    @invariant()
    def status_is_what_the_model_and_the_selector_say(self):
        if not self._ready():
            return
        doc = self._doc()
        assert doc.status == self.model.status
        assert doc.status == selectors.signoff_state(doc).status
        assert doc.status == self.model.predicted_status(self._checklist_errors())

    @invariant()
    def the_database_holds_the_models_content(self):
        if not self._ready():
            return
        sections = self._sections()
        assert {s.key: s.body_md for s in sections} == self.model.texts
        assert {s.key: s.content_hash for s in sections} == self.model.hashes()
        active = ReviewRequest.objects.filter(document=self.doc_pk, withdrawn_at__isnull=True)
        keys = [s.key for s in sections]
        assert {r.reviewer.username: r.covered_keys(keys) for r in active} == self.model.requests

    @invariant()
    def signed_off_means_current_approvals_of_everything(self):
        if not self._ready():
            return
        doc = self._doc()
        if doc.status != Status.SIGNED_OFF:
            return
        sections = self._sections()
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
        assert selectors.signoff_state(doc, sections).unwaived_errors == 0
        assert self._checklist_errors() == 0
        version = SignedVersion.objects.filter(document=doc).order_by("-number").first()
        assert version is not None
        assert version.content_hash == document_content_hash(sections)
        assert [s["content_hash"] for s in version.sections] == [s.content_hash for s in sections]

    @invariant()
    def signed_versions_are_frozen_once_per_signed_content(self):
        if self._ready():
            versions = SignedVersion.objects.filter(document=self.doc_pk)
            assert versions.count() == self.model.versions

    @invariant()
    def the_author_never_gives_a_verdict(self):
        if self._ready():
            assert not ReviewDecision.objects.filter(
                document=self.doc_pk,
                reviewer=self.users["alice"],
                kind__in=["approve", "request_changes"],
            ).exists()

    @invariant()
    def audit_rows_equal_state_changes(self):
        if self._ready():
            events = AuditEvent.objects.filter(document=self.doc_pk)
            assert events.count() == self.model.audit
            changes = events.filter(action="status_changed").values_list("detail", flat=True)
            # Each status row records a real change, chained from the previous one.
            previous = Status.DRAFT
            for detail in changes:
                assert detail["old"] == previous != detail["new"]
                previous = detail["new"]
            assert previous == self.model.status


@pytest.mark.django_db
def test_the_review_workflow_matches_its_model(db):
    machine = ReviewWorkflowModel.TestCase
    machine.settings = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()
