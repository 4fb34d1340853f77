"""Loading design templates from fixtures/templates/*.yaml.

Each section of a template names the canonical fields it writes (`fields: {group: [names] | "*"}`);
its JSON Schema is composed here from fixtures/canonical_fields.yaml, so the three templates
share one field model. Loading is idempotent: an unchanged file changes nothing, a new
`version` adds a new template version (documents keep theirs), and a changed file that kept
its version is refused so existing documents never see their template move under them.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.templates_catalog import i18n
from apps.templates_catalog.models import DesignTemplate, SectionSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TEMPLATES_DIR = settings.BASE_DIR / "fixtures" / "templates"
CANONICAL_FILE = settings.BASE_DIR / "fixtures" / "canonical_fields.yaml"
# {enum value: label} per language, beside fixtures/i18n/<locale>/canonical_fields.yaml.
ENUMS_FILE = "enums.yaml"


@dataclass(frozen=True)
class LoadResult:
    key: str
    version: int
    created: bool


def load_canonical(path: Path = CANONICAL_FILE) -> dict[str, Any]:
    """The canonical field groups: {group: JSON Schema of an object}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict) or not groups:
        raise ValidationError(f"{path.name}: expected a non-empty 'groups' mapping.")
    for name, schema in groups.items():
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise ValidationError(f"{path.name}: group '{name}' must be an object schema.")
    return groups


def compose_section_schema(fields: dict[str, Any], canonical: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema for a section that writes `fields` ({group: "*" | [field, ...]})."""
    properties: dict[str, Any] = {}
    for group, names in fields.items():
        if group not in canonical:
            raise ValidationError(f"unknown canonical group '{group}'")
        group_schema = canonical[group]
        group_props = group_schema.get("properties", {})
        if names == "*":
            selected = dict(group_props)
        else:
            missing = [n for n in names if n not in group_props]
            if missing:
                raise ValidationError(f"group '{group}' has no field(s) {', '.join(missing)}")
            selected = {n: group_props[n] for n in names}
        properties[group] = {
            "type": "object",
            "properties": selected,
            "additionalProperties": False,
        }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def _check_required_fields(key: str, section: dict[str, Any]) -> None:
    """Every required path must exist in the section's composed schema (typos are refused)."""
    for path in section.get("required_fields") or []:
        node = section["field_schema"]
        for part in path.split("."):
            if node.get("type") == "array":
                node = node.get("items", {})
            node = node.get("properties", {}).get(part)
            if node is None:
                raise ValidationError(
                    f"{key}.{section['key']}: required field '{path}' is not among the "
                    "section's fields"
                )


def parse_template(path: Path, canonical: dict[str, Any]) -> dict[str, Any]:
    """Read and validate one template file; returns the spec with composed section schemas."""
    raw = path.read_text(encoding="utf-8")
    spec = yaml.safe_load(raw)
    if not isinstance(spec, dict):
        raise ValidationError(f"{path.name}: a template file must be a mapping.")
    for field in ("key", "version", "title", "sections"):
        if field not in spec:
            raise ValidationError(f"{path.name}: missing '{field}'.")
    if not isinstance(spec["version"], int) or spec["version"] < 1:
        raise ValidationError(f"{path.name}: 'version' must be a positive integer.")
    seen: set[str] = set()
    for section in spec["sections"]:
        key = section.get("key")
        if not key or key in seen:
            raise ValidationError(f"{path.name}: section keys must be present and unique ({key}).")
        seen.add(key)
        section["field_schema"] = compose_section_schema(section.get("fields") or {}, canonical)
        try:
            Draft202012Validator.check_schema(section["field_schema"])
        except SchemaError as exc:
            raise ValidationError(f"{path.name}: section '{key}': {exc.message}") from exc
        _check_required_fields(spec["key"], section)
    canonical_json = json.dumps(canonical, sort_keys=True)
    spec["content_hash"] = hashlib.sha256((raw + canonical_json).encode()).hexdigest()
    spec["translations"] = _translations(raw, f"templates/{path.name}", canonical)
    return spec


def _translations(raw: str, relative: str, canonical: dict[str, Any]) -> dict[str, Any]:
    """{language: {"template": {...}, "sections": {key: {...}}}} from fixtures/i18n: the
    template's text and its sections' schemas with field titles in each language."""
    result = {}
    for language in i18n.other_languages():
        local = i18n.overlay(yaml.safe_load(raw), i18n.translation_of(relative, language))
        fields = i18n.translation_of(CANONICAL_FILE.name, language) or {}
        groups = i18n.with_enum_labels(
            i18n.overlay(canonical, fields.get("groups")),
            i18n.translation_of(ENUMS_FILE, language) or {},
        )
        result[language] = {
            "template": {name: local.get(name) for name in ("title", "description", "audience")}
            | {"meta": local.get("meta") or {}},
            "sections": {
                section["key"]: {
                    "title": section["title"],
                    "purpose": section.get("purpose", ""),
                    "guiding_questions": section.get("guiding_questions") or [],
                    "field_schema": compose_section_schema(section.get("fields") or {}, groups),
                    "meta": section.get("meta") or {},
                }
                for section in local["sections"]
            },
        }
    return result


def _template_translations(spec: dict[str, Any]) -> dict[str, Any]:
    return {lang: t["template"] for lang, t in spec["translations"].items()}


def _section_translations(spec: dict[str, Any], key: str) -> dict[str, Any]:
    return {lang: t["sections"][key] for lang, t in spec["translations"].items()}


def _refresh_translations(template: DesignTemplate, spec: dict[str, Any]) -> None:
    """Bring a loaded version's translations up to date with fixtures/i18n; `loaded_at` moves
    when any of them changed (pages cached per template version key on it)."""
    changed = False
    translations = _template_translations(spec)
    if template.translations != translations:
        DesignTemplate.objects.filter(pk=template.pk).update(translations=translations)
        changed = True
    for section in template.sections.all():
        translations = _section_translations(spec, section.key)
        if section.translations != translations:
            SectionSpec.objects.filter(pk=section.pk).update(translations=translations)
            changed = True
    if changed:
        DesignTemplate.objects.filter(pk=template.pk).update(loaded_at=timezone.now())


@transaction.atomic
def template_load(*, spec: dict[str, Any], position: int = 0) -> LoadResult:
    """Create the template version described by `spec`, or do nothing if it is already loaded."""
    existing = DesignTemplate.objects.filter(key=spec["key"], version=spec["version"]).first()
    if existing is not None:
        if existing.content_hash != spec["content_hash"]:
            raise ValidationError(
                f"Template '{spec['key']}' v{spec['version']} changed since it was loaded; "
                "bump its version so existing documents keep theirs."
            )
        if existing.position != position:
            DesignTemplate.objects.filter(pk=existing.pk).update(position=position)
        _refresh_translations(existing, spec)
        return LoadResult(key=existing.key, version=existing.version, created=False)

    DesignTemplate.objects.filter(key=spec["key"]).update(is_latest=False)
    template = DesignTemplate.objects.create(
        key=spec["key"],
        version=spec["version"],
        title=spec["title"],
        description=spec.get("description", ""),
        audience=spec.get("audience", ""),
        meta=spec.get("meta") or {},
        content_hash=spec["content_hash"],
        is_latest=True,
        position=position,
        translations=_template_translations(spec),
    )
    SectionSpec.objects.bulk_create(
        SectionSpec(
            template=template,
            key=section["key"],
            position=index,
            title=section["title"],
            purpose=section.get("purpose", ""),
            guiding_questions=section.get("guiding_questions") or [],
            required=bool(section.get("required", True)),
            fields=section.get("fields") or {},
            required_fields=section.get("required_fields") or [],
            field_schema=section["field_schema"],
            meta=section.get("meta") or {},
            translations=_section_translations(spec, section["key"]),
        )
        for index, section in enumerate(spec["sections"])
    )
    return LoadResult(key=template.key, version=template.version, created=True)


def templates_load_all(directory: Path = TEMPLATES_DIR) -> list[LoadResult]:
    """Load every fixtures/templates/*.yaml; `position` in a file sets its gallery order."""
    canonical = load_canonical()
    paths = sorted(directory.glob("*.yaml"))
    specs = [parse_template(path, canonical) for path in paths]
    return [
        template_load(spec=spec, position=spec.get("position", i)) for i, spec in enumerate(specs)
    ]
