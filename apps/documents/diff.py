"""Readable diffs between two versions of a section: its text line by line, its fields by path.

Used by the history pages (any two revisions) and by the conflict view (mine vs theirs).
The output is plain data; templates escape it, nothing here produces HTML.
"""

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed"
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True)
class FieldChange:
    path: str
    kind: str  # "added", "removed", "changed"
    old: str
    new: str


def text_diff(old: str, new: str, *, context: int | None = 3) -> list[Line | None]:
    """Lines of a unified diff; None marks skipped unchanged lines (context=None: keep all)."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    groups = [matcher.get_opcodes()] if context is None else matcher.get_grouped_opcodes(context)
    out: list[Line | None] = []
    for index, group in enumerate(groups):
        if index:
            out.append(None)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(
                    Line("same", old_lines[i], i + 1, j + 1)
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            out.extend(Line("removed", old_lines[i], i + 1, None) for i in range(i1, i2))
            out.extend(Line("added", new_lines[j], None, j + 1) for j in range(j1, j2))
    return out


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b.0": 1}; empty containers are kept as leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix: value} if prefix else {}


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def fields_diff(old: dict, new: dict) -> list[FieldChange]:
    """Every field path whose value differs between two versions of the structured fields."""
    before, after = flatten(old or {}), flatten(new or {})
    changes = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            changes.append(FieldChange(path, "removed", _show(before[path]), ""))
        elif path not in before:
            changes.append(FieldChange(path, "added", "", _show(after[path])))
        elif before[path] != after[path]:
            changes.append(FieldChange(path, "changed", _show(before[path]), _show(after[path])))
    return changes
