"""Design templates as data: an ordered list of section specs, versioned.

A template is a view over the canonical field model (fixtures/canonical_fields.yaml): each
section names the canonical fields it writes, and its JSON Schema is composed from them when
the fixtures are loaded. A document keeps the exact template version it was created from.
"""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.templates_catalog.i18n import pick


class OrderedJSONField(models.TextField):
    """JSON stored as text. PostgreSQL's jsonb reorders object keys, and a schema's key order
    is the order in which forms, field tables and template pages list the fields."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


class DesignTemplateQuerySet(models.QuerySet):
    def latest_versions(self) -> "DesignTemplateQuerySet":
        """The newest version of every template key."""
        return self.filter(is_latest=True)


class DesignTemplate(models.Model):
    key = models.SlugField(_("key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    is_latest = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    # When this version, or its translations, last changed: cached renderings key on it.
    loaded_at = models.DateTimeField(auto_now=True)
    # {language: {"title", "description", "audience", "meta"}} from fixtures/i18n; refreshed on
    # every load and outside the content hash: a better translation changes no document.
    translations = OrderedJSONField(default=dict, blank=True)

    objects = DesignTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="template_unique_key_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def local_title(self) -> str:
        """The title in the active language."""
        return pick(self.translations).get("title") or self.title

    @property
    def local_description(self) -> str:
        return pick(self.translations).get("description") or self.description

    @property
    def local_audience(self) -> str:
        return pick(self.translations).get("audience") or self.audience

    @property
    def local_meta(self) -> dict:
        """`meta` with its human text (follow-up drills) in the active language."""
        return pick(self.translations).get("meta") or self.meta


class SectionSpec(models.Model):
    template = models.ForeignKey(DesignTemplate, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=64)
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    guiding_questions = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)
    fields = models.JSONField(default=dict, blank=True, help_text="canonical group -> field names")
    required_fields = models.JSONField(default=list, blank=True)
    field_schema = OrderedJSONField(default=dict, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    # {language: {"title", "purpose", "guiding_questions", "field_schema", "meta"}}: the
    # section's text and its schema's titles and descriptions in that language (see above).
    translations = OrderedJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="sectionspec_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.template.key}.{self.key}"

    @property
    def local_title(self) -> str:
        """The title in the active language."""
        return pick(self.translations).get("title") or self.title

    @property
    def local_purpose(self) -> str:
        return pick(self.translations).get("purpose") or self.purpose

    @property
    def local_questions(self) -> list[str]:
        return pick(self.translations).get("guiding_questions") or self.guiding_questions

    @property
    def local_schema(self) -> dict:
        """The JSON Schema with field titles and descriptions in the active language."""
        return pick(self.translations).get("field_schema") or self.field_schema

    @property
    def local_meta(self) -> dict:
        return pick(self.translations).get("meta") or self.meta

    def titles(self) -> set[str]:
        """Every title of the section, in each language (a Markdown heading may use any)."""
        return {self.title} | {t["title"] for t in self.translations.values() if t.get("title")}
