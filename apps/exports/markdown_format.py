"""The document Markdown format: one readable file per document, reviewable in git.

```
---
template: ml_system_design
title: CTR prediction for feed ads
---

## Problem & business goal

```yaml
problem:
  business_goal: Increase ad revenue ...
```

Free Markdown body of the section ...
```

Front matter names the template (and title); each `## ` heading opens a section, matched to
the template by key or by title (case-insensitive); a ```yaml block right under the heading
holds the section's fields by canonical group; everything else is the section's body.
Plain Markdown without front matter or YAML blocks reads as bodies only.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_CHARS = 2_000_000
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_YAML_BLOCK = re.compile(r"\A\s*```ya?ml\n(.*?)\n```[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass
class ParsedDocument:
    meta: dict[str, Any] = field(default_factory=dict)
    # heading text -> (fields by canonical group, body Markdown), in file order
    sections: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


def _yaml(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(_("%(where)s is not valid YAML: %(error)s")
                              % {"where": where, "error": exc}) from None  # fmt: skip


def parse(text: str) -> ParsedDocument:
    """Split a document file into front matter and sections; ValidationError when malformed."""
    if len(text) > MAX_CHARS:
        raise ValidationError(_("The file is too large."))
    text = text.replace("\r\n", "\n")
    parsed = ParsedDocument()
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _yaml(match.group(1), _("The front matter"))
        if not isinstance(meta, dict):
            raise ValidationError(_("The front matter must be a mapping."))
        parsed.meta = meta
        text = text[match.end() :]
    headings = list(_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        chunk = text[heading.end() : end]
        fields: dict[str, Any] = {}
        block = _YAML_BLOCK.match(chunk)
        if block:
            title = heading.group(1)
            fields = _yaml(block.group(1), _("The fields of “%(title)s”") % {"title": title})
            if not isinstance(fields, dict):
                raise ValidationError(
                    _("The fields of “%(title)s” must be a mapping of groups.") % {"title": title}
                )
            chunk = chunk[block.end() :]
        parsed.sections.append((heading.group(1), fields, chunk.strip("\n")))
    return parsed


def match_sections(parsed: ParsedDocument, sections) -> dict[str, tuple[dict, str]]:
    """Section key -> (fields, body) for the template's `(key, titles)` pairs (a section's
    title in every language); unknown headings are refused."""
    by_name = {}
    for key, titles in sections:
        by_name[key.lower()] = key
        for title in titles:
            by_name[title.lower()] = key
    matched: dict[str, tuple[dict, str]] = {}
    for heading, fields, body in parsed.sections:
        key = by_name.get(heading.strip().lower())
        if key is None:
            raise ValidationError(
                _("“%(heading)s” is not a section of this template.") % {"heading": heading}
            )
        matched[key] = (fields, body)
    return matched


def _yaml_dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).rstrip("\n")


def dump(snapshot: dict) -> str:
    """A document snapshot (see `apps.exports.snapshot`) as one Markdown file that `parse`
    reads back: front matter, then per section its heading, its fields as YAML, its body."""
    meta = {"template": snapshot["template"]["key"], "title": snapshot["title"]}
    if snapshot.get("language"):
        meta["language"] = snapshot["language"]
    if snapshot.get("summary"):
        meta["summary"] = snapshot["summary"]
    parts = [f"---\n{_yaml_dump(meta)}\n---\n"]
    for section in snapshot["sections"]:
        chunk = [f"## {section['title']}\n"]
        if section.get("data"):
            chunk.append(f"```yaml\n{_yaml_dump(section['data'])}\n```\n")
        body = (section.get("body_md") or "").strip("\n")
        if body:
            chunk.append(f"{body}\n")
        parts.append("\n".join(chunk))
    return "\n".join(parts)
