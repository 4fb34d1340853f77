"""Interview practice: a timed session over the blocks of an interview document.

The clock lives in the database, never in a browser: a session records when it started, which
block is current and since when the clock runs (`running_since`, empty while paused); each
block accumulates the seconds spent on it when the clock leaves it. Everything a page shows is
computed from these rows and the server's `now`, so a reload, a second browser or the
interviewer's screen all read the same time. Interviewer notes live here, never in sections.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.documents.models import Document

NOTE_MAX_CHARS = 5_000
ZERO = timedelta(0)
# Templates whose documents are practised as timed interviews (their sections carry
# `meta.time_budget_min`).
INTERVIEW_TEMPLATE_KEYS = frozenset({"interview_45"})


def is_interview_document(document: Document) -> bool:
    """True for a document made from an interview template."""
    return document.template.key in INTERVIEW_TEMPLATE_KEYS


class InterviewSession(models.Model):
    """One practice interview of a document (content spec §1.2): nine timed blocks."""

    class Status(models.TextChoices):
        READY = "ready", _("Not started")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        FINISHED = "finished", _("Finished")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="interview_session"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    # Set when the session starts: the member who answers. Empty while an interviewer is
    # invited ahead of the start.
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_index = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Start of the segment the clock is running now; None unless the status is running.
    running_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="running", running_since__isnull=False)
                | (~models.Q(status="running") & models.Q(running_since__isnull=True)),
                name="interview_running_has_segment",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview of {self.document_id} ({self.status})"

    @property
    def is_started(self) -> bool:
        return self.status != self.Status.READY

    @property
    def is_live(self) -> bool:
        """Running or paused: the clock may still move."""
        return self.status in {self.Status.RUNNING, self.Status.PAUSED}

    def live_seconds(self, now: datetime) -> timedelta:
        """Time on the clock since the current segment began (zero unless running)."""
        if self.status != self.Status.RUNNING or self.running_since is None:
            return ZERO
        return max(now - self.running_since, ZERO)


class InterviewBlock(models.Model):
    """One timed block of a session, copied from the template's section specs at start."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="blocks")
    key = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    budget_seconds = models.PositiveIntegerField()
    # Time on the clock in closed segments; the running segment is added on read.
    elapsed = models.DurationField(default=ZERO)
    entered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="interview_block_unique_key"),
            models.UniqueConstraint(
                fields=["session", "position"], name="interview_block_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.key}"


class InterviewEvent(models.Model):
    """A block transition or control action, with the server's timestamp (never updated)."""

    class Action(models.TextChoices):
        START = "start", _("Started")
        NEXT = "next", _("Next block")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        FINISH = "finish", _("Finished")
        INVITE = "invite", _("Interviewer invited")

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    block_key = models.SlugField(max_length=64, blank=True, help_text="the current block after")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["session", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%H:%M:%S}"


class InterviewNote(models.Model):
    """The interviewer's private note on one block: only its author ever reads it."""

    block = models.ForeignKey(InterviewBlock, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["block__position"]
        constraints = [
            models.UniqueConstraint(fields=["block", "author"], name="interview_note_unique"),
        ]

    def __str__(self) -> str:
        return f"Note on {self.block} by {self.author_id}"
