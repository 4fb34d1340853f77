"""ML system design documents: one Section per template section, each with a Markdown body."""

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Membership, Team
from apps.templates_catalog.models import DesignTemplate, SectionSpec

TITLE_MAX_CHARS = 200
SUMMARY_MAX_CHARS = 2_000
SECTION_BODY_MAX_CHARS = 100_000


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """Documents of every team the user belongs to, less other people's private ones
        (those only their person and the team's owners see)."""
        if not user.is_authenticated:
            return self.none()
        member = Membership.objects.filter(team=OuterRef("team"), user=user)
        return self.filter(Exists(member)).filter(
            Q(private_to__isnull=True)
            | Q(private_to=user)
            | Exists(member.filter(role=Membership.Role.OWNER))
        )

    def active(self) -> "DocumentQuerySet":
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "DocumentQuerySet":
        return self.filter(archived_at__isnull=False)

    def search(self, query: str) -> "DocumentQuerySet":
        """Title, summary or any section body contains every word of `query`."""
        for word in query.split():
            self = self.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Exists(Section.objects.filter(document=OuterRef("pk"), body_md__icontains=word))
            )
        return self

    def mark_changed(self, **fields) -> int:
        """Move these documents' `page_version`: something their page shows has changed.

        Call it in the transaction of the write, after the write: a page read from the cache is
        keyed on the version, so a version that moved before its data was visible could file the
        old page under the new version. `fields` are set in the same UPDATE."""
        return self.update(page_version=F("page_version") + 1, **fields)


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SIGNED_OFF = "signed_off", _("Signed off")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="documents")
    template = models.ForeignKey(DesignTemplate, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    summary = models.TextField(_("summary"), blank=True, max_length=SUMMARY_MAX_CHARS)
    # The language the document is written in: its section titles, field labels, checklist
    # messages and exports use it, whatever language each reader's interface speaks.
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moves with every change to what the document's page shows (its own fields, sections,
    # revisions, threads, comments, review requests and decisions, sign-offs, checklist results
    # and waivers): the page is cached per reader under it (apps.documents.fragments).
    page_version = models.PositiveBigIntegerField(default=0, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    private_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only this person and the team's owners see the document (a course submission).",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        # The second serves lists across all of a user's teams (dashboard, API): newest first
        # without sorting every visible row.
        indexes = [
            models.Index(fields=["team", "-updated_at"]),
            models.Index(fields=["-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Section(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    spec = models.ForeignKey(SectionSpec, on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=64)
    position = models.PositiveIntegerField()
    body_md = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="sanitized at save time; never edited")
    data = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, default="", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="section_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}/{self.key}"

    @property
    def title(self) -> str:
        """The section's title in the active language."""
        return self.spec.local_title

    @property
    def is_empty(self) -> bool:
        return not self.body_md.strip() and not self.data

    @staticmethod
    def hash_content(body_md: str, data: dict) -> str:
        """A digest of what a section says (body and fields), independent of its version."""
        payload = json.dumps([body_md, data], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def document_content_hash(sections) -> str:
    """A digest of a document's content: its sections' keys and content hashes, in order."""
    lines = "\n".join(
        f"{s.key}:{s.content_hash or Section.hash_content(s.body_md, s.data)}" for s in sections
    )
    return hashlib.sha256(lines.encode()).hexdigest()


class Revision(models.Model):
    """One row per saved version of a section: the history the editor shows and restores."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body_md = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["section", "version"], name="revision_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.version}"


class Presence(models.Model):
    """Who has a document open, and which section they are editing (heartbeats, ~20 s)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    section_key = models.SlugField(max_length=64, blank=True, help_text="blank: reading")
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="presence_unique_user"),
        ]
        indexes = [models.Index(fields=["document", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.document_id}"
