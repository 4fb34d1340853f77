"""Worked examples: published, read-only design documents loaded from fixtures/examples/*.md."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.templates_catalog.models import DesignTemplate


class ExampleQuerySet(models.QuerySet):
    def published(self) -> "ExampleQuerySet":
        """Examples whose file is in the library (a removed file unpublishes, never deletes)."""
        return self.filter(is_published=True)

    def search(self, query: str) -> "ExampleQuerySet":
        """Every word of `query` appears in the title, the summary or the file's text."""
        for word in query.split():
            self = self.filter(
                models.Q(title__icontains=word)
                | models.Q(summary__icontains=word)
                | models.Q(source__icontains=word)
            )
        return self


class Example(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    template = models.ForeignKey(DesignTemplate, on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(_("domain"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=16, default="en")
    # The slug of the example this one translates ("" for an original).
    translation_of = models.SlugField(max_length=100, blank=True)
    task_type = models.CharField(_("task type"), max_length=64, blank=True)
    serving_mode = models.CharField(_("serving mode"), max_length=32, blank=True)
    source = models.TextField(help_text="the file as loaded: what a clone imports")
    content_hash = models.CharField(max_length=64)
    # [{key, body_md, body_html, data}] in template order; body_html sanitized at load time.
    sections = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    statuses = models.JSONField(default=list)
    is_published = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now=True)

    objects = ExampleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def family(self) -> str:
        """The slug shared by an example and its translations."""
        return self.translation_of or self.slug

    @property
    def task_type_label(self) -> str:
        return self.task_type.replace("_", " ")

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding["severity"] == severity)

    @property
    def error_count(self) -> int:
        return self.count("error")

    @property
    def warning_count(self) -> int:
        return self.count("warning")

    @property
    def passed_count(self) -> int:
        return sum(1 for status in self.statuses if status["status"] == "passed")
