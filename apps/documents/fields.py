"""Structured fields of a section: validation against the template's JSON Schema, the
cross-references between sections, the document snapshot and the completeness indicator.

A section's data is keyed by canonical group (`{"metrics": {"items": [...]}}`); the snapshot
merges every section's data into one canonical document, the shape the checklist reads.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

DATA_MAX_BYTES = 200_000
DATA_MAX_DEPTH = 32
# PostgreSQL's jsonb cannot store U+0000, and a lone surrogate cannot be encoded at all.
_UNSTORABLE_TEXT = re.compile(r"[\x00\ud800-\udfff]")
ENTITY_PSEUDO_NAMES = ("context", "cross")


def unstorable_reason(value: Any) -> str | None:
    """Why a JSON value cannot be stored (nested too deeply, or text the database refuses), or
    None. Walked without recursion, since it runs before anything else touches the value."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str) and _UNSTORABLE_TEXT.search(item):
            return _("Text may not contain null or lone surrogate characters.")
        if isinstance(item, dict | list):
            if depth > DATA_MAX_DEPTH:
                return _("The structured fields are nested too deeply.")
            children = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def is_filled(value: Any) -> bool:
    """Non-empty as the checklist defines it: not null, not blank, not an empty list/object."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def snapshot(sections: Iterable) -> dict[str, dict[str, Any]]:
    """The canonical document: every section's groups merged, in template order."""
    merged: dict[str, dict[str, Any]] = {}
    for section in sections:
        for group, fields in (section.data or {}).items():
            if isinstance(fields, dict):
                merged.setdefault(group, {}).update(fields)
    return merged


def get_path(data: dict, path: str) -> Any:
    """The value at a dotted path (`requirements.latency_budget_ms.p99`), or None."""
    value: Any = data
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def completeness(spec, data: dict) -> tuple[int, int]:
    """(required fields filled, required fields) of a section, for the table of contents."""
    required = spec.required_fields or []
    filled = sum(1 for path in required if is_filled(get_path(data or {}, path)))
    return filled, len(required)


def _message(error: SchemaError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator, value = error.validator, error.validator_value
    if validator == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": ", ".join(map(str, value))}
    if validator == "type":
        names = {
            "string": _("text"),
            "number": _("a number"),
            "integer": _("a whole number"),
            "boolean": _("yes or no"),
            "array": _("a list"),
            "object": _("a group of fields"),
            "null": _("empty"),
        }
        kinds = value if isinstance(value, list) else [value]
        return _("Must be %(kind)s.") % {"kind": _(" or ").join(names.get(k, k) for k in kinds)}
    if validator == "minimum":
        return _("Must be at least %(n)s.") % {"n": value}
    if validator == "maximum":
        return _("Must be at most %(n)s.") % {"n": value}
    if validator == "exclusiveMinimum":
        return _("Must be greater than %(n)s.") % {"n": value}
    if validator == "exclusiveMaximum":
        return _("Must be less than %(n)s.") % {"n": value}
    if validator == "maxItems":
        return ngettext("At most %(n)s row.", "At most %(n)s rows.", value) % {"n": value}
    if validator == "minItems":
        return ngettext("At least %(n)s row.", "At least %(n)s rows.", value) % {"n": value}
    if validator == "maxLength":
        return ngettext("At most %(n)s character.", "At most %(n)s characters.", value) % {
            "n": value
        }
    if validator == "pattern":
        return _("Use snake_case: lowercase letters, digits and underscores.")
    if validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = sorted(set(error.instance) - known) if isinstance(error.instance, dict) else []
        return _("Unknown field: %(names)s.") % {"names": ", ".join(extra)}
    if validator == "uniqueItems":
        return _("Every entry must be different.")
    return schema.get("x-error") or error.message


def _path(error: SchemaError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "data"


def schema_errors(schema: dict, data: Any) -> dict[str, list[str]]:
    """Field-path -> messages for everything in `data` the schema refuses."""
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        errors.setdefault(_path(error), []).append(_message(error))
    return errors


def _names(items: Any, key: str = "name") -> set[str]:
    if not isinstance(items, list):
        return set()
    return {
        item[key] for item in items if isinstance(item, dict) and isinstance(item.get(key), str)
    }


# Which field picks from which declared names (`*` is any row); the editor's pickers and the
# server's reference check both read this table.
REFERENCE_PICKERS = {
    "metrics.items.*.dataset": "splits",
    "entities.features.*.entity": "entities",
    "baseline.baselines.*.compared_on": "metrics",
    "ab_test.primary_metric": "metrics",
    "ab_test.guardrail_metrics": "metrics",
}
# Where each kind of name is declared: a list of rows, each with a `name`.
REFERENCE_SOURCES = {
    "metrics": "metrics.items",
    "splits": "data.split.splits",
    "entities": "entities.items",
}


def reference_choices(document_snapshot: dict) -> dict[str, list[str]]:
    """The names other fields may refer to: metrics, splits and entities (sorted)."""
    choices = {
        kind: sorted(_names(get_path(document_snapshot, path)))
        for kind, path in REFERENCE_SOURCES.items()
    }
    choices["entities"] = [*choices["entities"], *ENTITY_PSEUDO_NAMES]
    return choices


def _values_at(data: Any, parts: list[str], prefix: str = ""):
    """(path, value) for every value at a pattern path; `*` walks every row of a list."""
    if not parts:
        if isinstance(data, list):  # a list of names: each one is a reference
            for index, value in enumerate(data):
                yield f"{prefix}.{index}", value
        else:
            yield prefix, data
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for index, item in enumerate(data if isinstance(data, list) else []):
            yield from _values_at(item, rest, f"{prefix}.{index}")
    elif isinstance(data, dict) and head in data:
        yield from _values_at(data[head], rest, f"{prefix}.{head}" if prefix else head)


def reference_errors(data: dict, document_snapshot: dict) -> dict[str, list[str]]:
    """References in `data` to metrics, splits or entities that are not declared.

    Declarations are read from the document as it would be after this save (the snapshot
    with `data` merged in), so a section may declare and reference in one save.
    """
    merged = {g: dict(f) for g, f in document_snapshot.items()}
    for group, values in data.items():
        if isinstance(values, dict):
            merged.setdefault(group, {}).update(values)
    declared = {kind: set(names) for kind, names in reference_choices(merged).items()}
    what = {"metrics": _("metric"), "splits": _("split"), "entities": _("entity")}
    errors: dict[str, list[str]] = {}
    for pattern, kind in REFERENCE_PICKERS.items():
        for path, value in _values_at(data, pattern.split(".")):
            if is_filled(value) and value not in declared[kind]:
                listed = ", ".join(sorted(declared[kind])) or _("none yet")
                errors.setdefault(path, []).append(
                    _("“%(value)s” is not a declared %(what)s (declared: %(listed)s).")
                    % {"value": value, "what": what[kind], "listed": listed}
                )
    return errors


def validate_section_data(spec, data: Any, document_snapshot: dict | None) -> dict:
    """The data, or a ValidationError mapping field paths to messages (no snapshot: no
    reference checks)."""
    if not isinstance(data, dict):
        raise ValidationError({"data": _("Structured fields must be an object.")})
    errors = schema_errors(spec.field_schema or {"type": "object"}, data)
    if not errors and document_snapshot is not None:
        errors = reference_errors(data, document_snapshot)
    if errors:
        raise ValidationError(errors)
    try:
        size = len(json.dumps(data, ensure_ascii=False, allow_nan=False).encode())
    except ValueError:
        raise ValidationError({"data": _("Numbers must be finite: no infinity or NaN.")}) from None
    if size > DATA_MAX_BYTES:
        raise ValidationError(
            {"data": _("The structured fields are %(n)s bytes; the limit is %(max)s.")
             % {"n": f"{size:,}", "max": f"{DATA_MAX_BYTES:,}"}}
        )  # fmt: skip
    return data


def _number(value: int | float) -> str:
    """A number as the active language writes it (1,500.5 · 1 500,5 · 1,500.5), whole floats
    without their ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _display_value(value: Any, schema: dict) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and value in (schema.get("x-enum-labels") or {}):
        return schema["x-enum-labels"][value]
    if isinstance(value, int | float) and schema.get("minimum") == 0 and schema.get("maximum") == 1:
        return f"{_number(float(f'{value * 100:.4g}'))}%"
    if isinstance(value, int | float):
        return _number(value if isinstance(value, int) else float(f"{value:.6g}"))
    if isinstance(value, list):
        return "; ".join(_display_value(v, schema.get("items", {})) for v in value)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return ", ".join(
            f"{props.get(k, {}).get('title', k)}: {_display_value(v, props.get(k, {}))}"
            for k, v in value.items()
        )
    return str(value)


def _table(title: str, schema: dict, rows: list) -> dict:
    props = schema.get("items", {}).get("properties", {})
    used = [k for k in props if any(is_filled(row.get(k)) for row in rows)]
    return {
        "kind": "table",
        "title": title,
        "columns": [props[k].get("title", k) for k in used],
        "rows": [[_display_value(row.get(k), props[k]) for k in used] for row in rows],
    }


def _is_table(schema: dict, value: Any) -> bool:
    return (
        schema.get("type") == "array"
        and schema.get("items", {}).get("type") == "object"
        and all(isinstance(row, dict) for row in value)
    )


def display_blocks(schema: dict, data: dict) -> list[dict]:
    """A section's filled fields for reading: lists of objects as tables, the rest as terms.

    An object field (`cost_of_errors`, `split`) is opened one level: its parts become terms
    titled "Field › Part", its lists of objects tables of their own. Values are plain strings
    (templates escape them); fractions show as %, booleans as yes/no.
    """
    blocks: list[dict] = []
    for group, group_schema in (schema or {}).get("properties", {}).items():
        values = (data or {}).get(group) or {}
        terms: list[tuple[str, str]] = []
        for name, field_schema in group_schema.get("properties", {}).items():
            value = values.get(name)
            if not is_filled(value):
                continue
            title = field_schema.get("title", name)
            if _is_table(field_schema, value):
                blocks.append(_table(title, field_schema, value))
            elif field_schema.get("type") == "object" and isinstance(value, dict):
                for part, part_schema in field_schema.get("properties", {}).items():
                    part_value = value.get(part)
                    if not is_filled(part_value):
                        continue
                    part_title = f"{title} › {part_schema.get('title', part)}"
                    if _is_table(part_schema, part_value):
                        blocks.append(_table(part_title, part_schema, part_value))
                    else:
                        terms.append((part_title, _display_value(part_value, part_schema)))
            else:
                terms.append((title, _display_value(value, field_schema)))
        if terms:
            blocks.append({"kind": "terms", "items": terms})
    # Short facts first, then the tables.
    return sorted(blocks, key=lambda block: block["kind"] != "terms")
