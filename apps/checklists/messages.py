"""Checklist messages in the reader's language.

A rule's message is its §2.2 English wording, marked for translation; a finding stores the
message it was evaluated with and the values that filled it. Pages, the API and PDFs fill the
translated wording again with those values, so one stored result reads in every language.
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext

from apps.checklists.rules.base import RULES, WORD_VALUES


def finding_message(finding: Mapping, titles: Mapping[str, str] | None = None) -> str:
    """The finding's message in the active language; `titles` (section key -> title) names
    the sections it mentions in that language too."""
    rule = RULES.get(finding.get("rule_id", ""))
    values = finding.get("values")
    if rule is None or not isinstance(values, Mapping):
        return finding.get("message", "")  # stored before messages were translated
    values = {
        k: gettext(v) if isinstance(v, str) and v in WORD_VALUES else v for k, v in values.items()
    }
    if titles and "section" in values and finding.get("section") in titles:
        values["section"] = titles[finding["section"]]
    wording = rule.variants.get(finding.get("variant", "default"), rule.message)
    try:
        return gettext(wording).format(**values)
    except (KeyError, IndexError, ValueError):
        return finding.get("message", "")


def localized(findings: Iterable[Mapping], titles: Mapping[str, str] | None = None) -> list[dict]:
    """`findings` with each message in the active language."""
    return [{**f, "message": finding_message(f, titles)} for f in findings]


def rule_message(rule_id: str, default: str = "") -> str:
    """A rule's wording in the active language (its placeholders unfilled), for rule lists."""
    rule = RULES.get(rule_id)
    return gettext(rule.message) if rule is not None else default


def localized_statuses(statuses: Iterable[Mapping]) -> list[dict]:
    """Stored rule statuses (passed, failed, not applicable) with their wording translated."""
    return [{**s, "message": rule_message(s["rule_id"], s.get("message", ""))} for s in statuses]
