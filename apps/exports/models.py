"""Export jobs: one per (document content, format, paper), rendered by a Celery worker."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.documents.models import Document


class ExportJob(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        MARKDOWN = "markdown", _("Markdown")

    class Paper(models.TextChoices):
        A4 = "a4", _("A4")
        LETTER = "letter", _("Letter")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="exports")
    # The signed-off version exported, or none for the current draft.
    version = models.ForeignKey(
        "reviews.SignedVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    format = models.CharField(max_length=16, choices=Format.choices)
    paper = models.CharField(max_length=8, choices=Paper.choices, default=Paper.A4)
    # The document's language when asked for: the same content in another language is
    # another file (titles, labels and messages are printed in it).
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    # Everything the file shows, frozen when the export was asked for: later edits never leak in.
    snapshot = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The task message that claimed the job: its redelivery (the worker died) may take it again.
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the job last went to the broker: a job queued long ago lost its message (the sweep).
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # One job per content of the draft, and one per signed-off version: the same content
        # exported as a version says "signed off" and carries its approval sheet.
        constraints = [
            models.UniqueConstraint(
                fields=["document", "content_hash", "format", "paper", "language"],
                condition=models.Q(version__isnull=True),
                name="export_one_per_draft_content",
            ),
            models.UniqueConstraint(
                fields=["version", "format", "paper", "language"],
                condition=models.Q(version__isnull=False),
                name="export_one_per_version",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.format} of {self.document_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def filename(self) -> str:
        extension = "pdf" if self.format == self.Format.PDF else "md"
        stem = self.snapshot.get("slug") or "document"
        return f"{stem}.{extension}"


class ShareLink(models.Model):
    """A revocable read-only link to a signed-off version, or to its PDF, for people without an
    account (an interviewer, an instructor). Knowing the token is the only permission."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Web page")
        PDF = "pdf", _("PDF")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token = models.CharField(max_length=64, unique=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="share_links")
    version = models.ForeignKey(
        "reviews.SignedVersion", on_delete=models.CASCADE, related_name="share_links"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PAGE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} link to {self.version}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
