"""Review of a document: comment threads, review requests, decisions bound to content hashes,
signed-off versions, rubric scores and the audit log."""

import html
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from apps.documents.fields import get_path
from apps.documents.models import Document, Section

COMMENT_MAX_CHARS = 10_000
QUOTE_MAX_CHARS = 1_000
REASON_MAX_CHARS = 1_000
FIELD_PATH_MAX_CHARS = 200


def plain_text(body_html: str) -> str:
    """The text a reader sees in rendered HTML, whitespace collapsed (what a quote is cut from)."""
    return " ".join(html.unescape(strip_tags(body_html)).split())


class Thread(models.Model):
    """A discussion anchored to a section, optionally to a quoted passage or a field path."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        SUGGESTION = "suggestion", _("Suggestion")
        BLOCKING = "blocking", _("Blocking concern")
        PRAISE = "praise", _("Praise")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="threads")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    quote = models.TextField(blank=True, max_length=QUOTE_MAX_CHARS)
    field_path = models.CharField(max_length=FIELD_PATH_MAX_CHARS, blank=True)
    # The field's value when the thread was opened: a different value now makes it outdated.
    field_value = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_reason = models.TextField(blank=True, max_length=REASON_MAX_CHARS)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["document", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.section_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_blocking(self) -> bool:
        return self.kind == self.Kind.BLOCKING and self.is_open

    def is_outdated(self, section: Section, text: str | None = None) -> bool:
        """The quoted passage is gone from the section, or the anchored field has changed.

        `text` is the section's `plain_text`, for callers checking several threads at once."""
        text = plain_text(section.body_html) if text is None and self.quote else text
        if self.quote and " ".join(self.quote.split()) not in text:
            return True
        if self.field_path:
            return get_path(section.data, self.field_path) != self.field_value
        return False


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body_md = models.TextField(max_length=COMMENT_MAX_CHARS)
    body_html = models.TextField(help_text="sanitized at save time; never edited")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"comment by {self.author_id} on {self.thread_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


MENTION_RE = re.compile(r"(?<![\w@/.])@([\w.+-]*\w)")


class ReviewRequest(models.Model):
    """A reviewer asked to approve the whole document (no section keys) or named sections."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="review_requests")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_requests"
    )
    section_keys = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reviewer"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="review_request_one_active_per_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.document_id} by {self.reviewer_id}"

    def covered_keys(self, all_keys: list[str]) -> list[str]:
        """The section keys this request covers, in document order."""
        if not self.section_keys:
            return list(all_keys)
        return [k for k in all_keys if k in self.section_keys]


class ReviewDecision(models.Model):
    """Approve, request changes or comment; approvals and change requests record what they saw."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        COMMENT = "comment", _("Commented")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="review_decisions"
    )
    request = models.ForeignKey(
        ReviewRequest, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    body_md = models.TextField(blank=True, max_length=COMMENT_MAX_CHARS)
    body_html = models.TextField(blank=True)
    # {section key: content hash} of the sections the decision covered, as the reviewer saw them.
    section_hashes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["document", "reviewer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.reviewer_id} on {self.document_id}"

    def stale_keys(self, current_hashes: dict[str, str]) -> list[str]:
        """Covered sections whose content has changed since the decision."""
        return [k for k, h in self.section_hashes.items() if current_hashes.get(k) != h]


class SignedVersion(models.Model):
    """The content of a document as it was signed off, frozen; viewable and exportable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signed_versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # [{key, title, body_md, body_html, data, content_hash}] in document order.
    sections = models.JSONField(default=list)
    # [{reviewer, sections, approved_at}] of the approvals that signed it off.
    approvals = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="signed_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.name}"


class Scorecard(models.Model):
    """One reviewer's rubric scores for a document (content spec §5)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="scorecards")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # {criterion: {"score": 0-3, "comment": str, "lift_cap": bool}}
    entries = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "scorer"], name="scorecard_one_per_scorer"),
        ]

    def __str__(self) -> str:
        return f"scores of {self.document_id} by {self.scorer_id}"


class AuditEvent(models.Model):
    """Append-only: one row per review action or status change, with the content it saw."""

    class Action(models.TextChoices):
        THREAD_OPENED = "thread_opened", _("opened a thread")
        COMMENT_ADDED = "comment_added", _("replied")
        COMMENT_EDITED = "comment_edited", _("edited a comment")
        COMMENT_DELETED = "comment_deleted", _("deleted a comment")
        THREAD_RESOLVED = "thread_resolved", _("resolved a thread")
        THREAD_REOPENED = "thread_reopened", _("reopened a thread")
        REVIEW_REQUESTED = "review_requested", _("requested a review")
        REVIEW_WITHDRAWN = "review_withdrawn", _("withdrew a review request")
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("requested changes")
        REVIEW_COMMENTED = "review_commented", _("commented on the review")
        SCORES_SAVED = "scores_saved", _("scored the document")
        STATUS_CHANGED = "status_changed", _("status changed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    # What the action was about, for a person: thread kind and section, reviewer, old → new status.
    detail = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["document", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.document_id}"

    def save(self, *args, **kwargs):
        # Append-only: an audit row, once written, is never changed.
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
