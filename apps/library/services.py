"""Writes of the library: loading the worked examples from their files, cloning one into a team.

An example is a document file in the Markdown format of `apps.exports.markdown_format`, with
`slug`, `domain` and `language` in its front matter besides `template`, `title` and `summary`.
Loading validates it exactly as the editor validates a section, renders its bodies once, and
runs the checklist: a library example with an error or a warning is refused.
"""

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.checklists import engine, snapshot
from apps.documents import fields, markdown
from apps.documents.models import Document
from apps.documents.services import prune_empty
from apps.exports import markdown_format
from apps.exports.services import document_import
from apps.library.models import Example
from apps.templates_catalog.models import DesignTemplate

EXAMPLES_DIR = settings.BASE_DIR / "fixtures" / "examples"


@dataclass(frozen=True)
class LoadResult:
    slug: str
    state: str  # created | updated | unchanged | unpublished


def _meta_text(meta: dict, key: str, default: str = "") -> str:
    return str(meta.get(key) or default).strip()


def example_read(text: str, *, slug: str) -> dict:
    """The fields of an Example from a file's text; ValidationError naming what is wrong."""
    parsed = markdown_format.parse(text)
    meta = parsed.meta
    slug = _meta_text(meta, "slug", slug)
    if slugify(slug) != slug:
        raise ValidationError(_("“%(slug)s” is not a valid slug.") % {"slug": slug})
    language = _meta_text(meta, "language", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("“%(language)s” is not a language of the site.") % {"language": language}
        )
    title = _meta_text(meta, "title")
    if not title:
        raise ValidationError(_("The front matter has no title."))
    key = _meta_text(meta, "template")
    template = DesignTemplate.objects.filter(key=key, is_latest=True).first()
    if template is None:
        raise ValidationError(_("There is no template “%(key)s”.") % {"key": key})
    specs = list(template.sections.order_by("position"))
    matched = markdown_format.match_sections(parsed, [(s.key, s.titles()) for s in specs])
    sections, canonical, bodies = [], {}, {}
    for spec in specs:
        data, body = matched.get(spec.key, ({}, ""))
        try:
            data = fields.validate_section_data(spec, prune_empty(data), None)
        except ValidationError as exc:
            problems = "; ".join(f"{path}: {' '.join(m)}" for path, m in exc.message_dict.items())
            raise ValidationError(f"{spec.local_title}: {problems}") from None
        for group, values in data.items():
            canonical.setdefault(group, {}).update(values)
        bodies[spec.key] = body
        sections.append(
            {
                "key": spec.key,
                "body_md": body,
                "body_html": str(markdown.render(body, anchor_prefix=spec.key)),
                "data": data,
            }
        )
    snap = snapshot.from_canonical(canonical, key, bodies=bodies)
    findings = [f.as_dict() for f in engine.run_checklist(snap)]
    blocking = [f for f in findings if f["severity"] in {"error", "warning"}]
    if blocking:
        listed = ", ".join(f"{f['rule_id']} ({f['severity']})" for f in blocking)
        raise ValidationError(
            _("A library example must pass the checklist; it has %(findings)s.")
            % {"findings": listed}
        )
    return {
        "slug": slug,
        "title": title,
        "summary": _meta_text(meta, "summary"),
        "template": template,
        "domain": _meta_text(meta, "domain"),
        "language": language,
        "translation_of": _meta_text(meta, "translation_of"),
        "task_type": str(canonical.get("model", {}).get("task_type", "")),
        "serving_mode": str(canonical.get("serving", {}).get("mode", "")),
        "source": text,
        "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "sections": sections,
        "findings": findings,
        "statuses": [asdict(s) for s in engine.rule_statuses(snap)],
    }


@transaction.atomic
def examples_load(*, directory: Path = EXAMPLES_DIR) -> list[LoadResult]:
    """Load every `*.md` of `directory` (idempotent): new files are created, changed ones
    updated, unchanged ones left alone, examples whose file is gone unpublished. All or
    nothing: one bad file loads none and names the file."""
    results, seen = [], set()
    for path in sorted(directory.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        try:
            values = example_read(text, slug=path.stem)
        except ValidationError as exc:
            raise ValidationError(f"{path.name}: {' '.join(exc.messages)}") from None
        slug = values.pop("slug")
        if slug in seen:
            raise ValidationError(f"{path.name}: the slug “{slug}” is used by another file.")
        seen.add(slug)
        existing = Example.objects.filter(slug=slug).first()
        if (
            existing is not None
            and existing.is_published
            and existing.content_hash == values["content_hash"]
            and existing.template_id == values["template"].pk
        ):
            results.append(LoadResult(slug, "unchanged"))
            continue
        Example.objects.update_or_create(slug=slug, defaults={**values, "is_published": True})
        results.append(LoadResult(slug, "updated" if existing else "created"))
    for slug in Example.objects.published().exclude(slug__in=seen).values_list("slug", flat=True):
        results.append(LoadResult(slug, "unpublished"))
    Example.objects.published().exclude(slug__in=seen).update(is_published=False)
    return results


def example_clone(*, example: Example, team, user, title: str = "") -> Document:
    """A new draft in `team` with the example's sections and fields: an independent copy."""
    return document_import(team=team, user=user, text=example.source, title=title or example.title)
