"""Reads of the library shared by its pages and the API."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language_info

from apps.documents import fields
from apps.library.models import Example
from apps.templates_catalog.i18n import pick
from apps.templates_catalog.models import SectionSpec

FILTERS = ("task_type", "serving_mode", "domain", "template", "language")


def example_list(
    *,
    query: str = "",
    task_type: str = "",
    serving_mode: str = "",
    domain: str = "",
    template: str = "",
    language: str = "",
) -> QuerySet[Example]:
    """Published examples matching every filter given, by title (the file text is left out)."""
    examples = Example.objects.published().select_related("template").defer("source", "sections")
    if task_type:
        examples = examples.filter(task_type=task_type)
    if serving_mode:
        examples = examples.filter(serving_mode=serving_mode)
    if domain:
        examples = examples.filter(domain=domain)
    if template:
        examples = examples.filter(template__key=template)
    if language:
        examples = examples.filter(language=language)
    if query.strip():
        examples = examples.search(query.strip())
    return examples.order_by("title")


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values each filter can take, from the published examples (one query)."""
    rows = Example.objects.published().values_list(
        "task_type",
        "serving_mode",
        "domain",
        "template__key",
        "template__title",
        "template__translations",
        "language",
    )
    found: dict[str, dict[str, str]] = {name: {} for name in FILTERS}
    for task_type, serving_mode, domain, key, title, translations, language in rows:
        found["task_type"][task_type] = task_type.replace("_", " ")
        found["serving_mode"][serving_mode] = serving_mode
        found["domain"][domain] = domain
        found["template"][key] = pick(translations).get("title") or title
        found["language"][language] = get_language_info(language)["name_local"]
    return {
        name: sorted(((v, label) for v, label in values.items() if v), key=lambda c: c[1])
        for name, values in found.items()
    }


def example_translations(example: Example) -> list[Example]:
    """The same example in the other languages it is written in."""
    family = example.family
    return list(
        Example.objects.published()
        .filter(models.Q(slug=family) | models.Q(translation_of=family))
        .exclude(pk=example.pk)
        .only("slug", "title", "language")
        .order_by("language")
    )


def example_get(slug: str) -> Example:
    """A published example by slug; a 404 otherwise."""
    return get_object_or_404(Example.objects.published().select_related("template"), slug=slug)


@dataclass
class ExampleSection:
    """One section of an example as the pages show it."""

    key: str
    spec: SectionSpec
    body_md: str
    body_html: str
    data: dict[str, Any]
    field_blocks: list[dict]

    @property
    def is_empty(self) -> bool:
        return not self.body_html and not self.data

    @property
    def groups(self) -> set[str]:
        return set(self.spec.fields or {})


def example_sections(example: Example) -> list[ExampleSection]:
    """The example's sections with their template specs, in template order (one query)."""
    specs = {spec.key: spec for spec in example.template.sections.all()}
    return [
        ExampleSection(
            key=row["key"],
            spec=specs[row["key"]],
            body_md=row["body_md"],
            body_html=row["body_html"],
            data=row["data"],
            field_blocks=fields.display_blocks(specs[row["key"]].local_schema, row["data"]),
        )
        for row in example.sections
        if row["key"] in specs
    ]


def counterpart(section, candidates: list[ExampleSection]) -> ExampleSection | None:
    """The example section that answers the same question as `section` of a document: the same
    key, else the one writing most of the same canonical groups (templates differ)."""
    by_key = {candidate.key: candidate for candidate in candidates}
    if section.key in by_key and by_key[section.key].spec.template_id == section.spec.template_id:
        return by_key[section.key]
    groups = set(section.spec.fields or {})
    shared = [(len(groups & c.groups), -i, c) for i, c in enumerate(candidates)]
    best = max(shared, key=lambda item: item[:2], default=None)
    return best[2] if best and best[0] else None
