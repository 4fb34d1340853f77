"""Writes of the review workflow: threads and comments, review requests, decisions, sign-off.

Every write locks the document row first (`_lock`), as `section_save` does: an edit and an
approval of the same document never interleave, so a sign-off always covers content that its
approvals saw. Every action writes one audit row, plus one when the status changes.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import (
    Need,
    can_change_comment,
    can_comment_document,
    can_raise_blocking_concern,
    can_request_review,
    can_resolve_thread,
    can_review_document,
    document_readers,
    document_role,
    is_document_owner,
    role_allows,
)
from apps.documents import markdown
from apps.documents.fields import get_path
from apps.documents.models import Document, document_content_hash
from apps.documents.selectors import document_sections
from apps.notifications.services import notify
from apps.reviews import rubric, selectors
from apps.reviews.models import (
    COMMENT_MAX_CHARS,
    FIELD_PATH_MAX_CHARS,
    MENTION_RE,
    QUOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    AuditEvent,
    Comment,
    ReviewDecision,
    ReviewRequest,
    Scorecard,
    SignedVersion,
    Thread,
    plain_text,
)

Action = AuditEvent.Action


class StaleApproval(ValidationError):
    """The covered sections changed since the reviewer loaded them; nothing was recorded."""

    def __init__(self, covered_hash: str):
        super().__init__(
            {
                "content_hash": _(
                    "The sections you are reviewing changed since you loaded them. "
                    "Read the changes, then decide again."
                )
            }
        )
        self.covered_hash = covered_hash


def _lock(document: Document) -> None:
    """Serialize review writes and section saves of one document (a row lock on PostgreSQL)."""
    list(Document.objects.select_for_update().filter(pk=document.pk).values_list("pk"))


def _ensure_open(document: Document) -> None:
    if document.is_archived:
        raise ValidationError(_("This document is archived: restore it first."))


def _audit(*, document: Document, actor, action: str, sections=None, **detail) -> AuditEvent:
    """Record a review action, after its write: every one changes what the document's page
    shows, so the page's version moves here too."""
    sections = list(document_sections(document)) if sections is None else sections
    Document.objects.filter(pk=document.pk).mark_changed()
    return AuditEvent.objects.create(
        document=document,
        actor=actor,
        action=action,
        detail=detail,
        content_hash=document_content_hash(sections),
    )


def _notify_members(*, document: Document, recipients, **kwargs) -> None:
    """Notify those of `recipients` who may still read the document: someone who left its team
    must not learn about its documents."""
    ids = {user.pk for user in recipients if user is not None}
    notify(
        recipients=list(document_readers(document).filter(pk__in=ids)), document=document, **kwargs
    )


def _url(document: Document, anchor: str = "") -> str:
    return reverse("documents:detail", args=[document.pk]) + anchor


def _clean_text(value: str, *, field: str, limit: int, empty_message: str | None) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value and empty_message:
        raise ValidationError({field: empty_message})
    if len(value) > limit:
        raise ValidationError(
            {field: _("Keep it to %(n)s characters or fewer.") % {"n": f"{limit:,}"}}
        )
    return value


def _clean_comment(body_md: str) -> str:
    return _clean_text(
        body_md, field="body", limit=COMMENT_MAX_CHARS, empty_message=_("Write a comment.")
    )


def _notify_mentions(*, document: Document, author, body_md: str, thread: Thread, before=""):
    """Tell team members named with @username (only those newly named when editing)."""
    names = set(MENTION_RE.findall(body_md)) - set(MENTION_RE.findall(before))
    if not names:
        return
    users = document_readers(document).filter(username__in=names)
    notify(
        recipients=list(users),
        kind="mention",
        actor=author,
        document=document,
        text=_("%(name)s mentioned you on “%(title)s”")
        % {"name": author.username, "title": document.title},
        url=_url(document, f"#thread-{thread.pk}"),
    )


def _schema_has_path(schema: dict, path: str) -> bool:
    node = schema
    for part in path.split("."):
        if node.get("type") == "array":
            node = node.get("items", {})
            if part.isdigit():
                continue
        node = (node.get("properties") or {}).get(part)
        if not isinstance(node, dict):
            return False
    return True


@transaction.atomic
def thread_open(
    *,
    document: Document,
    author,
    section_key: str,
    body_md: str,
    kind: str = Thread.Kind.QUESTION,
    quote: str = "",
    field_path: str = "",
) -> Thread:
    """Start a thread on a section (optionally on a quoted passage or a field) with a comment."""
    if not can_comment_document(author, document):
        raise PermissionDenied(_("You cannot comment on this document."))
    _ensure_open(document)
    if kind not in Thread.Kind.values:
        raise ValidationError({"kind": _("Choose question, suggestion, blocking or praise.")})
    if kind == Thread.Kind.BLOCKING and not can_raise_blocking_concern(author, document):
        raise PermissionDenied(_("Only reviewers, editors and owners raise blocking concerns."))
    section = (
        document.sections.select_related("spec").filter(key=(section_key or "").strip()).first()
    )
    if section is None:
        raise ValidationError(
            {"section": _("This document has no section “%(key)s”.") % {"key": section_key}}
        )
    quote = " ".join((quote or "").split())
    if len(quote) > QUOTE_MAX_CHARS:
        raise ValidationError(
            {"quote": _("Quote at most %(n)s characters.") % {"n": f"{QUOTE_MAX_CHARS:,}"}}
        )
    if quote and quote not in plain_text(section.body_html):
        raise ValidationError(
            {"quote": _("That passage is not in the section (it may have just changed).")}
        )
    field_path = (field_path or "").strip()
    if field_path and (
        len(field_path) > FIELD_PATH_MAX_CHARS
        or not _schema_has_path(section.spec.field_schema, field_path)
    ):
        raise ValidationError({"field_path": _("This section has no such field.")})
    body_md = _clean_comment(body_md)
    _lock(document)
    thread = Thread.objects.create(
        document=document,
        section=section,
        kind=kind,
        quote=quote,
        field_path=field_path,
        field_value=get_path(section.data, field_path) if field_path else None,
        created_by=author,
    )
    Comment.objects.create(
        thread=thread, author=author, body_md=body_md, body_html=markdown.render(body_md)
    )
    _audit(
        document=document,
        actor=author,
        action=Action.THREAD_OPENED,
        thread=str(thread.pk),
        kind=kind,
        section=section.key,
    )
    _notify_mentions(document=document, author=author, body_md=body_md, thread=thread)
    if kind == Thread.Kind.BLOCKING:
        review_status_refresh(document=document, actor=author)
    return thread


@transaction.atomic
def comment_add(*, thread: Thread, author, body_md: str) -> Comment:
    """Reply in a thread."""
    document = thread.document
    if not can_comment_document(author, document):
        raise PermissionDenied(_("You cannot comment on this document."))
    _ensure_open(document)
    body_md = _clean_comment(body_md)
    _lock(document)
    comment = Comment.objects.create(
        thread=thread, author=author, body_md=body_md, body_html=markdown.render(body_md)
    )
    _audit(document=document, actor=author, action=Action.COMMENT_ADDED, thread=str(thread.pk))
    _notify_mentions(document=document, author=author, body_md=body_md, thread=thread)
    return comment


def comment_edit_allowed(*, comment: Comment, user) -> None:
    """PermissionDenied unless `user` may edit `comment` (its author)."""
    if not can_change_comment(user, comment):
        raise PermissionDenied(_("Only its author can edit a comment."))


@transaction.atomic
def comment_edit(*, comment: Comment, user, body_md: str) -> Comment:
    """Change your own comment; it shows as edited."""
    comment_edit_allowed(comment=comment, user=user)
    if comment.is_deleted:
        raise ValidationError({"body": _("This comment was deleted.")})
    document = comment.thread.document
    _ensure_open(document)
    body_md = _clean_comment(body_md)
    _lock(document)
    before = comment.body_md
    comment.body_md = body_md
    comment.body_html = markdown.render(body_md)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body_md", "body_html", "edited_at"])
    _audit(document=document, actor=user, action=Action.COMMENT_EDITED, comment=str(comment.pk))
    _notify_mentions(
        document=document, author=user, body_md=body_md, thread=comment.thread, before=before
    )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> None:
    """Remove your own comment's text; the thread keeps a “deleted” placeholder."""
    if not can_change_comment(user, comment):
        raise PermissionDenied(_("Only its author can delete a comment."))
    if comment.is_deleted:
        return
    document = comment.thread.document
    _lock(document)
    comment.body_md = ""
    comment.body_html = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body_md", "body_html", "deleted_at"])
    _audit(document=document, actor=user, action=Action.COMMENT_DELETED, comment=str(comment.pk))


def thread_resolve_allowed(*, thread: Thread, user) -> None:
    """PermissionDenied, saying who may, unless `user` may resolve `thread`."""
    if can_resolve_thread(user, thread.document, thread):
        return
    if thread.kind == Thread.Kind.BLOCKING:
        raise PermissionDenied(
            _("Only the reviewer who raised this concern, or the document owner, can resolve it.")
        )
    raise PermissionDenied(_("Only the thread's author or the document owner can resolve it."))


@transaction.atomic
def thread_resolve(*, thread: Thread, user, reason: str = "") -> Thread:
    """Resolve a thread. A blocking concern is resolved by whoever raised it, or by the document
    owner with a recorded reason; other threads by their author or the document owner."""
    document = thread.document
    thread_resolve_allowed(thread=thread, user=user)
    reason = _clean_text(reason, field="reason", limit=REASON_MAX_CHARS, empty_message=None)
    overriding = thread.kind == Thread.Kind.BLOCKING and user.pk != thread.created_by_id
    if overriding and not reason:
        raise ValidationError(
            {"reason": _("Say why you resolve a concern someone else raised; it is recorded.")}
        )
    _lock(document)
    thread.refresh_from_db(fields=["status"])
    if not thread.is_open:
        raise ValidationError({"thread": _("This thread is already resolved.")})
    thread.status = Thread.Status.RESOLVED
    thread.resolved_by = user
    thread.resolved_at = timezone.now()
    thread.resolution_reason = reason
    thread.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_reason"])
    _audit(
        document=document,
        actor=user,
        action=Action.THREAD_RESOLVED,
        thread=str(thread.pk),
        kind=thread.kind,
        reason=reason,
    )
    if thread.kind == Thread.Kind.BLOCKING:
        _notify_members(
            recipients=[thread.created_by, document.created_by],
            kind="concern_resolved",
            actor=user,
            document=document,
            text=_("%(name)s resolved a blocking concern on “%(title)s”")
            % {"name": user.username, "title": document.title},
            url=_url(document, f"#thread-{thread.pk}"),
        )
        review_status_refresh(document=document, actor=user)
    return thread


@transaction.atomic
def thread_reopen(*, thread: Thread, user) -> Thread:
    """Reopen a resolved thread (whoever may resolve it may reopen it)."""
    document = thread.document
    if not can_resolve_thread(user, document, thread):
        raise PermissionDenied(_("Only the thread's author or the document owner can reopen it."))
    _ensure_open(document)
    _lock(document)
    thread.refresh_from_db(fields=["status"])
    if thread.is_open:
        raise ValidationError({"thread": _("This thread is already open.")})
    thread.status = Thread.Status.OPEN
    thread.resolved_by = None
    thread.resolved_at = None
    thread.resolution_reason = ""
    thread.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_reason"])
    _audit(document=document, actor=user, action=Action.THREAD_REOPENED, thread=str(thread.pk))
    if thread.kind == Thread.Kind.BLOCKING:
        review_status_refresh(document=document, actor=user)
    return thread


def _reviewers(document: Document, usernames: list[str]) -> list:
    names = list(dict.fromkeys(n.strip() for n in usernames if n and n.strip()))
    if not names:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    users = {u.username: u for u in document_readers(document).filter(username__in=names)}
    errors = []
    for name in names:
        user = users.get(name)
        if user is None:
            errors.append(_("%(name)s is not a member of this team.") % {"name": name})
        elif user.pk == document.created_by_id:
            errors.append(_("%(name)s wrote this document and cannot review it.") % {"name": name})
        elif not role_allows(document_role(user, document), Need.REVIEW):
            errors.append(
                _("%(name)s is a viewer; an owner can make them a reviewer.") % {"name": name}
            )
    if errors:
        raise ValidationError({"reviewers": errors})
    return [users[n] for n in names]


@transaction.atomic
def review_request(
    *, document: Document, requested_by, usernames: list[str], section_keys: list[str] = ()
) -> list[ReviewRequest]:
    """Ask team members to review the whole document (no keys) or the named sections.

    Asking someone who already has a request replaces the sections they are asked for.
    """
    if not can_request_review(requested_by, document):
        raise PermissionDenied(_("Only editors and owners request reviews."))
    _ensure_open(document)
    reviewers = _reviewers(document, list(usernames))
    sections = list(document_sections(document))
    known = [s.key for s in sections]
    wanted = list(dict.fromkeys(k.strip() for k in section_keys if k and k.strip()))
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValidationError(
            {
                "sections": [
                    _("This document has no section “%(key)s”.") % {"key": k} for k in unknown
                ]
            }
        )
    keys = [k for k in known if k in wanted]
    _lock(document)
    requests = []
    for reviewer in reviewers:
        request = ReviewRequest.objects.filter(
            document=document, reviewer=reviewer, withdrawn_at__isnull=True
        ).first()
        if request is None:
            request = ReviewRequest.objects.create(
                document=document, reviewer=reviewer, section_keys=keys, requested_by=requested_by
            )
        else:
            request.section_keys = keys
            request.requested_by = requested_by
            request.save(update_fields=["section_keys", "requested_by"])
        requests.append(request)
        _audit(
            document=document,
            actor=requested_by,
            action=Action.REVIEW_REQUESTED,
            sections=sections,
            reviewer=reviewer.username,
            section_keys=keys,
        )
    titles = {s.key: s.spec.local_title for s in sections}
    scope = ", ".join(titles[k] for k in keys) if keys else _("the whole document")
    notify(
        recipients=reviewers,
        kind="review_requested",
        actor=requested_by,
        document=document,
        text=_("%(name)s asked you to review “%(title)s” (%(scope)s)")
        % {"name": requested_by.username, "title": document.title, "scope": scope},
        url=_url(document, "#review"),
    )
    review_status_refresh(document=document, actor=requested_by)
    return requests


@transaction.atomic
def review_withdraw(*, request: ReviewRequest, user) -> None:
    """Take back a review request."""
    document = request.document
    if not can_request_review(user, document):
        raise PermissionDenied(_("Only editors and owners withdraw review requests."))
    _withdraw(request, actor=user)


def _withdraw(request: ReviewRequest, *, actor, **detail) -> None:
    """Close a request, audit it and recompute the document's status."""
    document = request.document
    _lock(document)
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["withdrawn_at"])
    _audit(
        document=document,
        actor=actor,
        action=Action.REVIEW_WITHDRAWN,
        reviewer=request.reviewer.username,
        **detail,
    )
    review_status_refresh(document=document, actor=actor)


@transaction.atomic
def review_decide(
    *, document: Document, reviewer, kind: str, body_md: str = "", content_hash: str = ""
) -> ReviewDecision:
    """Approve, request changes, or comment on the review.

    An approval or change request needs a review request for `reviewer` and records the content
    hash of each covered section; an approval must say which content it saw (`content_hash`, as
    given by the sign-off state) and is refused when those sections changed since.
    """
    if kind not in ReviewDecision.Kind.values:
        raise ValidationError({"decision": _("Choose approve, request changes or comment.")})
    if reviewer.pk == document.created_by_id and kind != ReviewDecision.Kind.COMMENT:
        raise PermissionDenied(_("You wrote this document; someone else must review it."))
    if not can_review_document(reviewer, document) and kind != ReviewDecision.Kind.COMMENT:
        raise PermissionDenied(_("Your role in this team does not allow reviewing."))
    if kind == ReviewDecision.Kind.COMMENT and not can_comment_document(reviewer, document):
        raise PermissionDenied(_("You cannot comment on this document."))
    _ensure_open(document)
    _lock(document)
    request = (
        ReviewRequest.objects.filter(
            document=document, reviewer=reviewer, withdrawn_at__isnull=True
        )
        .select_related("reviewer")
        .first()
    )
    if request is None and kind != ReviewDecision.Kind.COMMENT:
        raise PermissionDenied(
            _("You were not asked to review this document; ask its author for a review request.")
        )
    body_md = _clean_text(body_md, field="body", limit=COMMENT_MAX_CHARS, empty_message=None)
    if kind == ReviewDecision.Kind.REQUEST_CHANGES and not body_md:
        raise ValidationError({"body": _("Say what needs to change.")})
    if kind == ReviewDecision.Kind.COMMENT and not body_md:
        raise ValidationError({"body": _("Write a comment.")})
    sections = list(document_sections(document))
    covered = request.covered_keys([s.key for s in sections]) if request else []
    if kind == ReviewDecision.Kind.APPROVE:
        if not content_hash:
            raise ValidationError({"content_hash": _("Say which content you approve.")})
        current = selectors.covered_hash(sections, covered)
        if content_hash != current:
            raise StaleApproval(current)
    hashes = selectors.section_hashes(sections)
    decision = ReviewDecision.objects.create(
        document=document,
        request=request,
        reviewer=reviewer,
        kind=kind,
        body_md=body_md,
        body_html=markdown.render(body_md) if body_md else "",
        section_hashes={k: hashes[k] for k in covered},
    )
    action = {
        ReviewDecision.Kind.APPROVE: Action.APPROVED,
        ReviewDecision.Kind.REQUEST_CHANGES: Action.CHANGES_REQUESTED,
        ReviewDecision.Kind.COMMENT: Action.REVIEW_COMMENTED,
    }[kind]
    _audit(
        document=document, actor=reviewer, action=action, sections=sections, section_keys=covered
    )
    recipients = [document.created_by] + ([request.requested_by] if request else [])
    _notify_members(
        recipients=recipients,
        kind="review_decision",
        actor=reviewer,
        document=document,
        text=_("%(name)s %(decision)s “%(title)s”")
        % {
            "name": reviewer.username,
            "decision": {
                ReviewDecision.Kind.APPROVE: _("approved"),
                ReviewDecision.Kind.REQUEST_CHANGES: _("requested changes on"),
                ReviewDecision.Kind.COMMENT: _("commented on the review of"),
            }[kind],
            "title": document.title,
        },
        url=_url(document, "#review"),
    )
    review_status_refresh(document=document, actor=reviewer, sections=sections)
    return decision


def scorecard_allowed(*, document: Document, scorer) -> None:
    """PermissionDenied unless `scorer` may score `document` (who may review it)."""
    if not can_review_document(scorer, document):
        raise PermissionDenied(
            _("Reviewers, editors and owners score documents, never the author.")
        )


@transaction.atomic
def scorecard_save(*, document: Document, scorer, entries: dict[str, dict]) -> Scorecard:
    """Save a reviewer's rubric scores (content spec §5): each criterion's score 0–3 (or none
    yet), a comment (required for scores ≤ 1) and whether a checklist cap is lifted."""
    scorecard_allowed(document=document, scorer=scorer)
    _ensure_open(document)
    template_key = document.template.key
    if not rubric.has_rubric(template_key):
        raise ValidationError(_("This template has no rubric to score against."))
    findings = selectors.unwaived_findings(document)
    scores = {k: e.get("score") for k, e in entries.items() if e.get("score") is not None}
    comments = {k: (e.get("comment") or "").strip() for k, e in entries.items()}
    comments = {k: v for k, v in comments.items() if v}
    lifted = {k for k, e in entries.items() if e.get("lift_cap")}
    errors = rubric.scores_errors(template_key, scores, comments, lifted, findings)
    if errors:
        raise ValidationError(errors)
    _lock(document)
    sections = list(document_sections(document))
    clean = {
        key: {"score": scores.get(key), "comment": comments.get(key, ""), "lift_cap": key in lifted}
        for key in [c.key for c in rubric.criteria_for(template_key)]
        if key in scores or key in comments or key in lifted
    }
    card, _created = Scorecard.objects.update_or_create(
        document=document,
        scorer=scorer,
        defaults={"entries": clean, "content_hash": document_content_hash(sections)},
    )
    result = selectors.scorecard_result(document, clean, findings)
    _audit(
        document=document,
        actor=scorer,
        action=Action.SCORES_SAVED,
        sections=sections,
        total=result.total,
        band=result.band,
    )
    return card


def _freeze(document: Document, sections, state: selectors.SignoffState) -> SignedVersion:
    latest = SignedVersion.objects.filter(document=document).order_by("-number").first()
    if latest is not None and latest.content_hash == state.content_hash:
        return latest
    number = (latest.number if latest else 0) + 1
    return SignedVersion.objects.create(
        document=document,
        number=number,
        name=_("Version %(n)s") % {"n": number},
        content_hash=state.content_hash,
        title=document.title,
        summary=document.summary,
        sections=[
            {
                "key": s.key,
                "title": s.spec.title,
                "body_md": s.body_md,
                "body_html": s.body_html,
                "data": s.data,
                "content_hash": s.content_hash,
            }
            for s in sections
        ],
        approvals=[
            {
                "reviewer": r.request.reviewer.username,
                "sections": r.covered,
                "approved_at": r.decision.created_at.isoformat(),
            }
            for r in state.requests
        ],
    )


@transaction.atomic
def review_status_refresh(*, document: Document, actor=None, sections=None) -> str:
    """Recompute the document's status from its reviews; record and announce a change.

    Called after every review action and every section save or waiver change. Reaching
    “signed off” freezes the content as a named version.
    """
    _lock(document)
    sections = list(document_sections(document)) if sections is None else sections
    state = selectors.signoff_state(document, sections)
    previous = Document.objects.filter(pk=document.pk).values_list("status", flat=True).get()
    document.status = state.status
    if state.status == previous:
        return state.status
    Document.objects.filter(pk=document.pk).update(status=state.status)
    extra = {}
    if state.is_signed_off:
        version = _freeze(document, sections, state)
        extra["version"] = version.number
    _audit(
        document=document,
        actor=actor,
        action=Action.STATUS_CHANGED,
        sections=sections,
        old=previous,
        new=state.status,
        **extra,
    )
    if state.is_signed_off:
        _notify_members(
            recipients=[document.created_by, *(r.request.reviewer for r in state.requests)],
            kind="signed_off",
            actor=actor,
            document=document,
            text=_("“%(title)s” is signed off") % {"title": document.title},
            url=_url(document, "#review"),
        )
    return state.status


def is_owner_override(user, thread: Thread) -> bool:
    """True when resolving `thread` by `user` needs a recorded reason."""
    return (
        thread.kind == Thread.Kind.BLOCKING
        and user.pk != thread.created_by_id
        and is_document_owner(user, thread.document)
    )


@transaction.atomic
def review_requests_withdraw_for(*, user, team) -> int:
    """Withdraw `user`'s open review requests on `team`'s documents (they left the team or can
    no longer review), so sign-off does not wait for them; returns how many."""
    requests = ReviewRequest.objects.filter(
        reviewer=user, document__team=team, withdrawn_at__isnull=True
    ).select_related("document", "reviewer")
    count = 0
    for request in requests:
        _withdraw(request, actor=None, reason="membership")
        count += 1
    return count
