"""Reads of the review workflow for pages and the API: threads, requests, sign-off state."""

import enum
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.checklists.selectors import annotate_waived, checklist_current, document_waivers
from apps.documents.fields import display_blocks
from apps.documents.models import Document, Section, document_content_hash
from apps.documents.selectors import document_sections
from apps.reviews import rubric
from apps.reviews.models import (
    AuditEvent,
    Comment,
    ReviewDecision,
    ReviewRequest,
    Scorecard,
    SignedVersion,
    Thread,
)

VERDICTS = (ReviewDecision.Kind.APPROVE, ReviewDecision.Kind.REQUEST_CHANGES)


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    STALE = "stale"
    CHANGES_REQUESTED = "changes_requested"


@dataclass
class RequestState:
    """Where one review request stands against the document's current content."""

    request: ReviewRequest
    covered: list[str]
    covered_hash: str
    decision: ReviewDecision | None
    status: RequestStatus
    # Covered sections changed since the reviewer's last verdict.
    changed: list[str] = field(default_factory=list)

    @property
    def awaits_reviewer(self) -> bool:
        """The reviewer has something to do: no verdict, a stale one, or changes since theirs."""
        if self.status in {RequestStatus.PENDING, RequestStatus.STALE}:
            return True
        return self.status == RequestStatus.CHANGES_REQUESTED and bool(self.changed)


@dataclass
class SignoffState:
    status: str
    blocking: list[str]
    requests: list[RequestState]
    open_blocking_threads: int
    unwaived_errors: int
    uncovered: list[str]
    content_hash: str

    @property
    def is_signed_off(self) -> bool:
        return self.status == Document.Status.SIGNED_OFF


def section_hashes(sections) -> dict[str, str]:
    """{key: content hash} of the given sections."""
    return {s.key: s.content_hash or Section.hash_content(s.body_md, s.data) for s in sections}


def covered_hash(sections, keys) -> str:
    """The digest of the covered sections' content: what an approval says it saw."""
    wanted = set(keys)
    return document_content_hash([s for s in sections if s.key in wanted])


def active_requests(document: Document) -> QuerySet[ReviewRequest]:
    return (
        ReviewRequest.objects.filter(document=document, withdrawn_at__isnull=True)
        .select_related("reviewer", "requested_by")
        .order_by("created_at")
    )


def latest_verdicts(document: Document, reviewer_ids) -> dict[int, ReviewDecision]:
    """Each reviewer's latest approval or change request on the document."""
    latest: dict[int, ReviewDecision] = {}
    if not reviewer_ids:
        return latest
    decisions = (
        ReviewDecision.objects.filter(
            document=document, reviewer_id__in=list(reviewer_ids), kind__in=VERDICTS
        )
        .select_related("reviewer")
        .order_by("created_at", "id")
    )
    for decision in decisions:
        latest[decision.reviewer_id] = decision
    return latest


def request_state(request: ReviewRequest, sections, decision: ReviewDecision | None):
    """A request measured against the current sections and the reviewer's latest verdict."""
    all_keys = [s.key for s in sections]
    covered = request.covered_keys(all_keys)
    hashes = section_hashes(sections)
    current = {k: hashes[k] for k in covered}
    if decision is None:
        status, changed = RequestStatus.PENDING, []
    else:
        changed = [k for k in covered if decision.section_hashes.get(k) != current[k]]
        if decision.kind == ReviewDecision.Kind.REQUEST_CHANGES:
            status = RequestStatus.CHANGES_REQUESTED
        elif changed:
            status = RequestStatus.STALE
        else:
            status = RequestStatus.APPROVED
    return RequestState(
        request=request,
        covered=covered,
        covered_hash=covered_hash(sections, covered),
        decision=decision,
        status=status,
        changed=changed,
    )


def _unwaived_errors(document: Document, result) -> int | None:
    if result is None:
        return None
    errors = [f for f in result.findings if f["severity"] == "error"]
    if not errors:
        return 0
    return sum(1 for f in annotate_waived(errors, document_waivers(document)) if not f["waived"])


_LOAD = object()


def signoff_state(
    document: Document, sections=None, *, checklist=_LOAD, threads=None
) -> SignoffState:
    """The document's review status and every reason it is not signed off.

    At most six queries (sections, requests, verdicts, blocking threads, checklist result,
    waivers); a page that already holds the sections, the stored checklist result or the
    threads passes them in.
    """
    sections = list(document_sections(document)) if sections is None else list(sections)
    titles = {s.key: s.spec.local_title for s in sections}
    requests = list(active_requests(document))
    verdicts = latest_verdicts(document, {r.reviewer_id for r in requests})
    states = [request_state(r, sections, verdicts.get(r.reviewer_id)) for r in requests]
    covered = {k for state in states for k in state.covered}
    uncovered = [s.key for s in sections if s.key not in covered]
    if threads is None:
        open_blocking = Thread.objects.filter(
            document=document, kind=Thread.Kind.BLOCKING, status=Thread.Status.OPEN
        ).count()
    else:
        open_blocking = sum(1 for t in threads if t.is_blocking)
    if checklist is _LOAD:
        checklist = checklist_current(document, sections)
    errors = _unwaived_errors(document, checklist)

    blocking: list[str] = []
    if not states:
        blocking.append(_("Nobody has been asked to review yet."))
    elif uncovered:
        blocking.append(
            _("No reviewer covers: %(sections)s.")
            % {"sections": ", ".join(titles[k] for k in uncovered)}
        )
    for state in states:
        name = state.request.reviewer.username
        if state.status == RequestStatus.PENDING:
            blocking.append(_("Waiting for %(name)s to review.") % {"name": name})
        elif state.status == RequestStatus.STALE:
            blocking.append(
                _("%(name)s's approval is out of date: %(sections)s changed since.")
                % {"name": name, "sections": ", ".join(titles[k] for k in state.changed)}
            )
        elif state.status == RequestStatus.CHANGES_REQUESTED:
            blocking.append(_("%(name)s requested changes.") % {"name": name})
    if open_blocking:
        blocking.append(
            ngettext(
                "%(n)s blocking concern is open.",
                "%(n)s blocking concerns are open.",
                open_blocking,
            )
            % {"n": open_blocking}
        )
    if errors is None:
        blocking.append(_("The checklist has not run on this content yet."))
    elif errors:
        blocking.append(
            ngettext(
                "The checklist has %(n)s error that is not waived.",
                "The checklist has %(n)s errors that are not waived.",
                errors,
            )
            % {"n": errors}
        )

    if not states:
        status = Document.Status.DRAFT
    elif any(s.status == RequestStatus.CHANGES_REQUESTED for s in states):
        status = Document.Status.CHANGES_REQUESTED
    elif not blocking:
        status = Document.Status.SIGNED_OFF
    else:
        status = Document.Status.IN_REVIEW
    return SignoffState(
        status=status,
        blocking=blocking,
        requests=states,
        open_blocking_threads=open_blocking,
        unwaived_errors=errors or 0,
        uncovered=uncovered,
        content_hash=document_content_hash(sections),
    )


def document_threads(document: Document) -> list[Thread]:
    """The document's threads with their comments and authors (three queries)."""
    comments = Comment.objects.select_related("author").order_by("created_at")
    return list(
        Thread.objects.filter(document=document)
        .select_related("section", "created_by", "resolved_by")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("created_at")
    )


def thread_get(document: Document, thread_id) -> Thread:
    """One thread of the (already authorized) document; a 404 for any other id."""
    return get_object_or_404(
        Thread.objects.select_related("section", "created_by"), document=document, pk=thread_id
    )


def comment_get(document: Document, comment_id) -> Comment:
    """One comment on the (already authorized) document; a 404 for any other id."""
    return get_object_or_404(
        Comment.objects.select_related("thread", "thread__section", "author"),
        thread__document=document,
        pk=comment_id,
    )


def request_get(document: Document, request_id) -> ReviewRequest:
    return get_object_or_404(
        ReviewRequest.objects.select_related("reviewer"),
        document=document,
        pk=request_id,
        withdrawn_at__isnull=True,
    )


def document_decisions(document: Document) -> QuerySet[ReviewDecision]:
    return ReviewDecision.objects.filter(document=document).select_related("reviewer")


def document_audit(document: Document) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(document=document).select_related("actor")


def document_signed_versions(document: Document) -> QuerySet[SignedVersion]:
    return SignedVersion.objects.filter(document=document).order_by("-number")


def signed_version_get(document: Document, number: int) -> SignedVersion:
    return get_object_or_404(SignedVersion, document=document, number=number)


def signed_version_display(document: Document, version: SignedVersion) -> SignedVersion:
    """The version with each section's fields as display tables (`field_blocks`)."""
    schemas = {s.key: s.local_schema for s in document.template.sections.all()}
    for section in version.sections:
        section["field_blocks"] = display_blocks(schemas.get(section["key"], {}), section["data"])
    return version


def unwaived_findings(document: Document, sections=None, *, checklist=_LOAD) -> list[dict]:
    """The current checklist findings that no waiver covers (what caps rubric scores)."""
    if checklist is _LOAD:
        sections = list(document_sections(document)) if sections is None else sections
        checklist = checklist_current(document, sections)
    if checklist is None:
        return []
    annotated = annotate_waived(checklist.findings, document_waivers(document))
    return [{k: v for k, v in f.items() if k != "waived"} for f in annotated if not f["waived"]]


def document_scorecards(document: Document) -> list[Scorecard]:
    """Every reviewer's scorecard, with its computed result (`card.result`), oldest first."""
    cards = list(Scorecard.objects.filter(document=document).select_related("scorer"))
    if cards:
        findings = unwaived_findings(document)
        for card in cards:
            card.result = scorecard_result(document, card.entries, findings)
    return cards


def scorecard_result(document: Document, entries: dict, findings: list[dict]) -> rubric.Result:
    """The rubric's total, caps and band for `entries` against the current findings."""
    scores = {k: e["score"] for k, e in entries.items() if e.get("score") is not None}
    lifted = {k for k, e in entries.items() if e.get("lift_cap")}
    return rubric.score(document.template.key, scores, findings, lifted)


def awaiting_review(user) -> list[RequestState]:
    """Requests where `user` has something to do, newest first (three queries)."""
    requests = list(
        ReviewRequest.objects.filter(
            reviewer=user,
            withdrawn_at__isnull=True,
            document__archived_at__isnull=True,
            document__team__memberships__user=user,
        )
        .select_related("document", "document__team", "requested_by")
        .order_by("-created_at")
    )
    if not requests:
        return []
    doc_ids = {r.document_id for r in requests}
    sections_by_doc: dict = {}
    for section in (
        Section.objects.filter(document_id__in=doc_ids)
        .only("document_id", "key", "content_hash", "body_md", "data", "position")
        .order_by("position")
    ):
        sections_by_doc.setdefault(section.document_id, []).append(section)
    latest: dict = {}
    for decision in ReviewDecision.objects.filter(
        reviewer=user, document_id__in=doc_ids, kind__in=VERDICTS
    ).order_by("created_at", "id"):
        latest[decision.document_id] = decision
    states = [
        request_state(r, sections_by_doc.get(r.document_id, []), latest.get(r.document_id))
        for r in requests
    ]
    return [s for s in states if s.awaits_reviewer]
