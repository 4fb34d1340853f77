"""Writes for documents: create from a template, edit title and sections, archive, restore."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import Team
from apps.checklists.services import ab_plan_compute, checklist_refresh
from apps.documents import fields, markdown
from apps.documents.models import (
    SECTION_BODY_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    Document,
    Presence,
    Revision,
    Section,
)
from apps.reviews.services import review_status_refresh
from apps.templates_catalog.models import DesignTemplate


class SectionConflict(ValidationError):
    """The section changed since the version the save was based on; nothing was written."""

    def __init__(self, current: Section):
        super().__init__(
            {"base_version": _("Someone saved this section since you opened it.")},
            code="conflict",
        )
        self.current = current


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    if len(title) > TITLE_MAX_CHARS:
        raise ValidationError(
            {"title": _("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX_CHARS}}
        )
    return title


def _clean_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX_CHARS:
        raise ValidationError(
            {"summary": _("Keep the summary to %(n)s characters.") % {"n": SUMMARY_MAX_CHARS}}
        )
    return summary


def _clean_body(body_md: str) -> str:
    body_md = (body_md or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(body_md) > SECTION_BODY_MAX_CHARS:
        raise ValidationError(
            {
                "body_md": _("The section is %(n)s characters long; the limit is %(max)s.")
                % {"n": f"{len(body_md):,}", "max": f"{SECTION_BODY_MAX_CHARS:,}"}
            }
        )
    return body_md


def _ensure_not_archived(document: Document) -> None:
    if document.is_archived:
        raise ValidationError(_("This document is archived: restore it before editing."))


@transaction.atomic
def document_create(
    *,
    team: Team,
    template: DesignTemplate,
    title: str,
    created_by,
    summary: str = "",
    language: str = "",
    private_to=None,
) -> Document:
    """Create a document in `team` with one empty section per section of `template`, written
    in `language` (default: the creator's interface language); `private_to` makes it visible
    to that person and the team's owners only."""
    document = Document.objects.create(
        team=team,
        template=template,
        title=_clean_title(title),
        summary=_clean_summary(summary),
        language=_clean_language(language),
        created_by=created_by,
        private_to=private_to,
    )
    Section.objects.bulk_create(
        Section(
            document=document,
            spec=spec,
            key=spec.key,
            position=spec.position,
            content_hash=Section.hash_content("", {}),
        )
        for spec in template.sections.order_by("position")
    )
    checklist_refresh(document=document)
    return document


def _clean_language(language: str) -> str:
    if not language:
        try:
            return translation.get_supported_language_variant(translation.get_language() or "")
        except LookupError:
            return settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {
                "language": _("Write the document in one of: %(codes)s.")
                % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)}
            }
        )
    return language


@transaction.atomic
def document_update(
    *,
    document: Document,
    title: str | None = None,
    summary: str | None = None,
    language: str | None = None,
):
    """Change the title, summary and/or language of a document."""
    _ensure_not_archived(document)
    # Validate everything before touching the instance: a refused update leaves it as it was.
    changes = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if summary is not None:
        changes["summary"] = _clean_summary(summary)
    if language:
        changes["language"] = _clean_language(language)
    for field, value in changes.items():
        setattr(document, field, value)
    if changes:
        document.save(update_fields=[*changes, "updated_at"])
        Document.objects.filter(pk=document.pk).mark_changed()
    return document


def prune_empty(value: Any) -> Any:
    """Drop blank strings, nulls, empty lists/objects and empty rows: 'empty' means absent."""
    if isinstance(value, dict):
        cleaned = {k: prune_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if fields.is_filled(v)}
    if isinstance(value, list):
        cleaned = [prune_empty(v) for v in value]
        return [v for v in cleaned if fields.is_filled(v)]
    if isinstance(value, str):
        return value.strip() and value
    return value


def _clean_data(section: Section, data: Any, *, check_references: bool) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"data": _("Structured fields must be an object.")})
    problem = fields.unstorable_reason(data)
    if problem:
        raise ValidationError({"data": problem})
    data = prune_empty(data)
    others = Section.objects.filter(document=section.document_id).exclude(pk=section.pk)
    document_snapshot = fields.snapshot(others.order_by("position").only("data"))
    data = fields.validate_section_data(
        section.spec, data, document_snapshot if check_references else None
    )
    if isinstance(data.get("ab_test"), dict):
        metrics = data.get("metrics", document_snapshot.get("metrics", {})).get("items") or []
        data["ab_test"] = ab_plan_compute(data["ab_test"], metrics)
    return data


@transaction.atomic
def section_save(
    *,
    section: Section,
    body_md: str,
    author,
    data: dict | None = None,
    base_version: int | None = None,
    check_references: bool = True,
):
    """Save a section: validate fields, render the body once, bump the version, add a revision.

    `data=None` keeps the structured fields as they are. With `base_version`, the write only
    happens if nobody saved since that version (a compare-and-set UPDATE); otherwise
    `SectionConflict` carries the current section and nothing is written.
    """
    _ensure_not_archived(section.document)
    body_md = _clean_body(body_md)
    # Saves and review decisions of one document take turns (see apps.reviews.services).
    list(Document.objects.select_for_update().filter(pk=section.document_id).values_list("pk"))
    changes: dict[str, Any] = {}
    if data is not None:
        changes["data"] = _clean_data(section, data, check_references=check_references)
    body_html = markdown.render(body_md, anchor_prefix=section.key)
    rows = Section.objects.filter(pk=section.pk)
    if base_version is not None:
        rows = rows.filter(version=base_version)
    updated = rows.update(
        body_md=body_md,
        body_html=body_html,
        version=F("version") + 1,
        updated_by=author,
        updated_at=timezone.now(),
        **changes,
    )
    if not updated:
        raise SectionConflict(Section.objects.select_related("spec").get(pk=section.pk))
    section.refresh_from_db()
    # Hashed from the row as saved (the object passed in may hold older fields).
    section.content_hash = Section.hash_content(section.body_md, section.data)
    Section.objects.filter(pk=section.pk).update(content_hash=section.content_hash)
    Revision.objects.create(
        section=section,
        version=section.version,
        body_md=section.body_md,
        data=section.data,
        author=author,
    )
    Document.objects.filter(pk=section.document_id).mark_changed(updated_at=section.updated_at)
    # Findings are computed here, once per content, and never on page reads.
    checklist_refresh(document=section.document)
    review_status_refresh(document=section.document, actor=author)
    return section


@transaction.atomic
def revision_restore(*, revision: Revision, author, base_version: int | None = None) -> Section:
    """Save an old revision's body and fields as a new version of its section.

    References are not re-checked: the old fields may name a metric renamed since, which the
    checklist reports, and a restore must never be refused for it.
    """
    return section_save(
        section=revision.section,
        body_md=revision.body_md,
        data=revision.data,
        author=author,
        base_version=base_version,
        check_references=False,
    )


@transaction.atomic
def document_archive(*, document: Document) -> Document:
    """Hide a document from lists; nothing is deleted and it can be restored."""
    if not document.is_archived:
        document.archived_at = timezone.now()
        document.save(update_fields=["archived_at"])
        Document.objects.filter(pk=document.pk).mark_changed()
    return document


@transaction.atomic
def document_restore(*, document: Document) -> Document:
    """Bring an archived document back."""
    if document.is_archived:
        document.archived_at = None
        document.save(update_fields=["archived_at"])
        Document.objects.filter(pk=document.pk).mark_changed()
    return document


def markdown_preview(*, body_md: str, anchor_prefix: str = "") -> str:
    """Render a draft exactly as a save would, without saving (the editor's live preview)."""
    return markdown.render(_clean_body(body_md), anchor_prefix=anchor_prefix)


@transaction.atomic
def presence_beat(*, document: Document, user, section_key: str = "") -> None:
    """Record that `user` has `document` open (editing `section_key`, or just reading)."""
    if section_key and not document.sections.filter(key=section_key).exists():
        raise ValidationError({"section": _("This document has no section “%(key)s”.") % {
            "key": section_key}})  # fmt: skip
    Presence.objects.update_or_create(
        document=document,
        user=user,
        defaults={"section_key": section_key, "last_seen": timezone.now()},
    )
