"""A read-only snapshot of a document's canonical fields: the only input of the rule engine.

The rules never touch the database or the models: `from_document` builds a snapshot from the
Section rows a view already holds, `from_canonical` from a plain mapping (tests, the worked
examples, YAML files like CONTENT_SPEC Appendix A). Every mapping in a snapshot is a
MappingProxyType and every list a tuple, so a rule cannot change what the next rule reads.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import yaml
from django.conf import settings

from apps.documents import fields as document_fields
from apps.documents.fields import is_filled

TEMPLATES_DIR = settings.BASE_DIR / "fixtures" / "templates"
DEFAULT_TEMPLATE = "ml_system_design"
WHOLE_GROUP = "*"
# §0.2, in the order of the default template.
CANONICAL_GROUPS = (
    "problem",
    "requirements",
    "metrics",
    "entities",
    "data",
    "baseline",
    "model",
    "serving",
    "monitoring",
    "ab_test",
    "risks",
)


def freeze(value: Any) -> Any:
    """A deep read-only copy: mappings become MappingProxyType, lists tuples, dates ISO strings."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def get_path(data: Mapping, path: str, default: Any = None) -> Any:
    """The value at a dotted path (`metrics.items.2.dataset`), or `default`."""
    value: Any = data
    for part in path.split("."):
        if isinstance(value, Mapping):
            if part not in value:
                return default
            value = value[part]
        elif isinstance(value, tuple | list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
    return value


@dataclass(frozen=True)
class SectionState:
    """One section of the active template, as DOC-01 and DOC-02 see it."""

    key: str
    title: str
    required: bool
    groups: tuple[str, ...]
    fields: Mapping[str, Any]  # group -> tuple of field names, or "*" for the whole group
    is_empty: bool
    position: int
    hw: int | None = None  # the homework that adds this section (course_hw)

    def writes(self, path: str) -> bool:
        """Whether this section lets the author fill `path` (`problem.why_ml`)."""
        group, _, rest = path.partition(".")
        names = self.fields.get(group)
        if names is None:
            return False
        return names == WHOLE_GROUP or not rest or rest.split(".")[0] in names


@dataclass(frozen=True)
class DocumentSnapshot:
    """What the checklist reads: canonical fields plus the template's section layout."""

    template_key: str
    canonical: Mapping[str, Any]
    sections: tuple[SectionState, ...] = ()
    sections_order: tuple[str, ...] = CANONICAL_GROUPS
    hw_level: int | None = None

    def get(self, path: str, default: Any = None) -> Any:
        return get_path(self.canonical, path, default)

    def asks(self, path: str) -> bool:
        """Whether the template has a field for `path`; rules skip clauses it cannot answer.

        A snapshot without a section layout asks for everything, and so does any path outside
        the canonical groups (`doc.sections_order`).
        """
        if not self.sections or path.partition(".")[0] not in CANONICAL_GROUPS:
            return True
        return any(section.writes(path) for section in self.sections)

    def checked_sections(self) -> tuple[SectionState, ...]:
        """Required sections the author has reached: all of them, or for homework templates
        those of homeworks 1..hw_level."""
        return tuple(
            section
            for section in self.sections
            if section.required
            and (self.hw_level is None or (section.hw is not None and section.hw <= self.hw_level))
        )


def _normalise_fields(fields: Any) -> dict[str, Any]:
    normalised: dict[str, Any] = {}
    for group, names in (fields or {}).items():
        normalised[group] = WHOLE_GROUP if names == WHOLE_GROUP else tuple(names or ())
    return normalised


def _group_rank(group: str) -> int:
    return CANONICAL_GROUPS.index(group) if group in CANONICAL_GROUPS else len(CANONICAL_GROUPS)


def _groups(fields: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(fields, key=lambda group: (_group_rank(group), group)))


def derive_sections_order(sections: Iterable[SectionState]) -> tuple[str, ...]:
    """Canonical groups in the order the template lays them out.

    A group sits where its home section is: the first section that writes the whole group,
    else the one that writes most of its fields (course_hw writes `model.task_type` in HW1 but
    the model itself in HW3). Groups sharing a section keep the canonical order.
    """
    home: dict[str, tuple[int, int]] = {}
    for section in sections:
        for group, names in section.fields.items():
            weight = -1_000_000 if names == WHOLE_GROUP else -len(names)
            candidate = (weight, section.position)
            if group not in home or candidate < home[group]:
                home[group] = candidate
    return tuple(sorted(home, key=lambda g: (home[g][1], _group_rank(g), g)))


def derive_hw_level(sections: Iterable[SectionState]) -> int | None:
    """The homework reached: the highest homework whose section has content (at least 1).
    None for templates without homeworks."""
    homeworks = [section for section in sections if section.hw is not None]
    if not homeworks:
        return None
    reached = [section.hw for section in homeworks if not section.is_empty]
    return max(reached, default=1)


def _has_content(values: Iterable[Any]) -> bool:
    return any(is_filled(value) for value in values)


def from_document(document, sections: Iterable, *, hw_level: int | None = None):
    """Snapshot of `document` from its Section rows (with `spec` loaded; no queries made).

    `document.template` must be loaded too (`get_document_for_user` selects it).
    """
    rows = sorted(sections, key=lambda s: s.position)
    states = []
    for row in rows:
        spec_fields = _normalise_fields(row.spec.fields)
        values = [
            value
            for group in (row.data or {}).values()
            if isinstance(group, Mapping)
            for value in group.values()
        ]
        states.append(
            SectionState(
                key=row.key,
                title=row.spec.title,
                required=row.spec.required,
                groups=_groups(spec_fields),
                fields=freeze(spec_fields),
                is_empty=not row.body_md.strip() and not _has_content(values),
                position=row.position,
                hw=(row.spec.meta or {}).get("hw"),
            )
        )
    return DocumentSnapshot(
        template_key=document.template.key,
        canonical=freeze(document_fields.snapshot(rows)),
        sections=tuple(states),
        sections_order=derive_sections_order(states),
        hw_level=hw_level if hw_level is not None else derive_hw_level(states),
    )


@lru_cache(maxsize=16)
def template_layout(template_key: str) -> tuple[Mapping[str, Any], ...]:
    """The sections of a template fixture (fixtures/templates/*.yaml), read once."""
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(spec, dict) and spec.get("key") == template_key:
            return freeze(spec.get("sections") or [])
    raise ValueError(f"No template fixture with key '{template_key}'.")


def from_canonical(
    data: Mapping[str, Any],
    template_key: str | None = None,
    *,
    hw_level: int | None = None,
    bodies: Mapping[str, str] | None = None,
) -> DocumentSnapshot:
    """Snapshot of a canonical document such as CONTENT_SPEC Appendix A.

    `data` holds the canonical groups and an optional `doc:` block (`template`,
    `sections_order`, `hw_level`; the order applies only to that template); `bodies` maps
    section keys to Markdown bodies. The section
    layout comes from the template fixture, so the rules see what a stored document would give.
    """
    doc = data.get("doc") if isinstance(data.get("doc"), Mapping) else {}
    template_key = template_key or doc.get("template") or DEFAULT_TEMPLATE
    canonical = {group: fields for group, fields in data.items() if group != "doc"}
    bodies = bodies or {}
    states = []
    for position, spec in enumerate(template_layout(template_key)):
        spec_fields = _normalise_fields(spec.get("fields"))
        values: list[Any] = []
        for group, names in spec_fields.items():
            group_data = canonical.get(group)
            if not isinstance(group_data, Mapping):
                continue
            if names == WHOLE_GROUP:
                values.extend(group_data.values())
            else:
                values.extend(group_data.get(name) for name in names)
        states.append(
            SectionState(
                key=spec["key"],
                title=spec.get("title") or spec["key"],
                required=bool(spec.get("required", True)),
                groups=_groups(spec_fields),
                fields=freeze(spec_fields),
                is_empty=not (bodies.get(spec["key"]) or "").strip() and not _has_content(values),
                position=position,
                hw=(spec.get("meta") or {}).get("hw"),
            )
        )
    # The doc block describes the document in its own template; another view derives its order.
    order = doc.get("sections_order") if doc.get("template", template_key) == template_key else None
    if hw_level is None:
        hw_level = doc.get("hw_level")
    return DocumentSnapshot(
        template_key=template_key,
        canonical=freeze(canonical),
        sections=tuple(states),
        sections_order=tuple(order) if order else derive_sections_order(states),
        hw_level=hw_level if hw_level is not None else derive_hw_level(states),
    )
