"""Stored checklist results (per document content hash) and waivers of findings."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.documents.models import Document

WAIVER_REASON_MAX_CHARS = 300


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class ChecklistResult(models.Model):
    """The findings of one version of a document's content, computed when it was saved."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="checklist_results"
    )
    content_hash = models.CharField(max_length=64)
    findings = models.JSONField(default=list)
    statuses = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    info_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "content_hash"], name="checklist_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return f"checklist of {self.document_id} @ {self.content_hash[:8]}"


class Waiver(models.Model):
    """An acknowledged finding: a rule waived for a section of a document, with a reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="waivers")
    rule_id = models.CharField(max_length=16)
    section = models.SlugField(max_length=64, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    reason = models.CharField(max_length=WAIVER_REASON_MAX_CHARS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule_id", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "rule_id", "section"], name="waiver_unique_rule_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} waived on {self.document_id}"
