"""The document Markdown format: front matter, a YAML block of fields per section, bodies."""

import pytest
from django.core.exceptions import ValidationError

from apps.exports.markdown_format import match_sections, parse

DOC = """---
template: ml_system_design
title: CTR prediction
---

## Problem & business goal

```yaml
problem:
  business_goal: Increase ad revenue by showing ads users click.
```

Why this **matters**.

## metrics

Only text here.
"""


def test_front_matter_fields_and_bodies_are_read():
    parsed = parse(DOC)
    assert parsed.meta == {"template": "ml_system_design", "title": "CTR prediction"}
    assert parsed.sections == [
        ("Problem & business goal",
         {"problem": {"business_goal": "Increase ad revenue by showing ads users click."}},
         "Why this **matters**."),
        ("metrics", {}, "Only text here."),
    ]  # fmt: skip


def test_headings_match_sections_by_title_or_key():
    matched = match_sections(parse(DOC), [("problem", ["Problem & business goal"]),
                                          ("metrics", ["Metrics"])])  # fmt: skip
    assert set(matched) == {"problem", "metrics"}


def test_headings_match_a_section_by_its_title_in_any_language():
    text = "## Постановка бизнес-задачи\n\nТекст.\n\n## 指标\n\n文本。\n"
    matched = match_sections(parse(text), [("problem", ["Problem", "Постановка бизнес-задачи"]),
                                           ("metrics", ["Metrics", "指标"])])  # fmt: skip
    assert matched == {"problem": ({}, "Текст."), "metrics": ({}, "文本。")}


def test_plain_markdown_reads_as_bodies():
    parsed = parse("## Metrics\n\nCTR and revenue.\n")
    assert parsed.meta == {} and parsed.sections == [("Metrics", {}, "CTR and revenue.")]


@pytest.mark.parametrize(
    "text",
    [
        "---\n: [\n---\n## A\n",
        "---\n- a list\n---\n## A\n",
        "## A\n\n```yaml\nproblem: [unclosed\n```\n",
        "## A\n\n```yaml\n- not a mapping\n```\n",
    ],
)
def test_malformed_files_are_refused_with_a_message(text):
    with pytest.raises(ValidationError):
        parse(text)


def test_an_unknown_heading_is_refused():
    with pytest.raises(ValidationError, match="Nonsense"):
        match_sections(parse("## Nonsense\n"), [("problem", ["Problem & business goal"])])
