"""Shared parts of the checklist rules: findings, the registry and the `@rule` decorator, and
readers of the frozen snapshot.

A rule is registered with its id, default severity, the section it belongs to, the fields it
reads, its message template (the §2.2 wording; `{placeholders}` are interpolated) and its
source. A check yields zero or more `Failure`s (where it failed and the values its message
needs); `Rule.evaluate` turns them into `Finding`s. Thresholds and vocabularies come from the
configuration (fixtures/checklists/rules.yaml), never from literals in the rules.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_noop

from apps.checklists.config import Config
from apps.checklists.snapshot import DocumentSnapshot

# Canonical enum values the rule definitions name (§0.4); vocabularies live in the config.
OFFLINE = "offline"
GUARDRAIL = "guardrail"
BATCH = "batch"
NOT_APPLICABLE = "not_applicable"
PROPORTION = "proportion"
MEAN = "mean"
RELATIVE = "relative"
DECREASE = "decrease"
INCREASE = "increase"
NON_FUNCTIONAL_FIELDS = (
    "latency_budget_ms",
    "throughput_qps",
    "scale",
    "memory_budget_mb",
    "privacy",
    "availability_slo",
    "cost_budget",
)


# Values of a message that are words, not data: translated with the message when it is read.
NO_SPLIT_DECLARED = gettext_noop("no split declared yet")
NONE_LISTED = gettext_noop("(none)")
WORD_VALUES = frozenset({NO_SPLIT_DECLARED, NONE_LISTED})


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One failed check, as the editor, the reviewer sidebar and the PDF show it (§2.1)."""

    rule_id: str
    severity: str
    section: str
    field_paths: tuple[str, ...]
    message: str
    source: str
    # Which of the rule's checks failed (MET-05 "accuracy_only" caps the rubric, §5.5).
    variant: str = "default"
    # (name, value) pairs that filled the message: readers translate it again in their language.
    values: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": str(self.severity),
            "section": self.section,
            "field_paths": list(self.field_paths),
            "message": self.message,
            "source": self.source,
            "variant": self.variant,
            "values": dict(self.values),
        }


@dataclass(frozen=True)
class Failure:
    """What a check yields: the offending field paths and the values for its message."""

    field_paths: tuple[str, ...]
    values: Mapping[str, Any]
    variant: str = "default"
    section: str | None = None  # when not the rule's own section (DOC-01)


def fail(*paths: str, variant: str = "default", in_section: str | None = None, **values) -> Failure:
    """A failure at `paths` (duplicates dropped, order kept); `values` fill the message."""
    unique = tuple(dict.fromkeys(paths))
    return Failure(unique, MappingProxyType(values), variant, in_section)


@dataclass(frozen=True)
class RuleContext:
    config: Config
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


Check = Callable[[DocumentSnapshot, RuleContext], Iterable[Failure]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    section: str
    reads: tuple[str, ...]
    message: str
    source: str
    check: Check
    variants: Mapping[str, str]

    def evaluate(
        self, snapshot: DocumentSnapshot, context: RuleContext, severity: str | None = None
    ) -> list[Finding]:
        """The findings of this rule on `snapshot`, at `severity` (default: its own)."""
        return [
            Finding(
                rule_id=self.id,
                severity=Severity(severity or self.severity).value,
                section=failure.section or self.section,
                field_paths=failure.field_paths,
                message=self.variants.get(failure.variant, self.message).format(**failure.values),
                source=self.source,
                variant=failure.variant,
                values=tuple(failure.values.items()),
            )
            for failure in self.check(snapshot, context)
        ]


RULES: dict[str, Rule] = {}
# Rule families in §2.2 order.
FAMILIES = ("DOC", "PRB", "REQ", "MET", "ENT", "DAT", "BAS", "MOD", "SRV", "MON", "ABT", "RSK")


def rule(
    rule_id: str,
    *,
    severity: Severity,
    section: str,
    reads: Iterable[str],
    message: str,
    source: str,
    variants: Mapping[str, str] | None = None,
) -> Callable[[Check], Check]:
    """Register a check as rule `rule_id` (§2.2 order is registration order)."""

    def register(check: Check) -> Check:
        if rule_id in RULES or rule_id[:3] not in FAMILIES:
            raise ValueError(f"Rule {rule_id} is registered twice or has no known family.")
        RULES[rule_id] = Rule(
            id=rule_id,
            severity=severity,
            section=section,
            reads=tuple(reads),
            message=message,
            source=source,
            check=check,
            variants=MappingProxyType(dict(variants or {})),
        )
        return check

    return register


# Reading the frozen snapshot --------------------------------------------------------------


def filled(value: Any) -> bool:
    """Non-empty as §2.1 defines it, for frozen values (tuples and mapping proxies)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping | tuple | list):
        return bool(value)
    return True


def chars(value: Any) -> int:
    """Length after trimming; 0 for anything that is not text."""
    return len(value.strip()) if isinstance(value, str) else 0


def number(value: Any) -> float | None:
    """`value` if it is a finite number (booleans are not numbers), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def rows(value: Any) -> list[tuple[int, Mapping]]:
    """(index, row) for every mapping in a list field."""
    if not isinstance(value, tuple | list):
        return []
    return [(i, row) for i, row in enumerate(value) if isinstance(row, Mapping)]


def group(snapshot: DocumentSnapshot, name: str) -> Mapping:
    value = snapshot.get(name)
    return value if isinstance(value, Mapping) else MappingProxyType({})


def label(row: Mapping, index: int, key: str = "name") -> str:
    value = row.get(key)
    return value.strip() if filled(value) and isinstance(value, str) else f"#{index + 1}"


def fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def task_type(snapshot: DocumentSnapshot) -> Any:
    return snapshot.get("model.task_type")


def in_set(value: Any, members: frozenset) -> bool:
    try:
        return value in members
    except TypeError:  # an unhashable value (a list typed into a scalar field) is in no set
        return False


def is_online(snapshot: DocumentSnapshot, config: Config) -> bool:
    return in_set(snapshot.get("serving.mode"), config.members("ONLINE"))


def metric_rows(snapshot: DocumentSnapshot) -> list[tuple[int, Mapping]]:
    return rows(snapshot.get("metrics.items"))


def offline_metrics(snapshot: DocumentSnapshot) -> list[tuple[int, Mapping]]:
    return [(i, m) for i, m in metric_rows(snapshot) if m.get("kind") == OFFLINE]


def offline_names(snapshot: DocumentSnapshot) -> set[str]:
    return {m["name"] for _, m in offline_metrics(snapshot) if isinstance(m.get("name"), str)}


def canonical_offline(snapshot: DocumentSnapshot, config: Config) -> list[tuple[int, str, str]]:
    """(index, name as written, §2.3 canonical name) of every named offline metric."""
    return [
        (i, m["name"], config.canonical_metric(m["name"]))
        for i, m in offline_metrics(snapshot)
        if isinstance(m.get("name"), str) and m["name"].strip()
    ]


def ab_not_applicable(snapshot: DocumentSnapshot, config: Config) -> bool:
    """The A/B plan is validly N/A (§0.3): every ABT rule is skipped."""
    return snapshot.get("ab_test.status") == NOT_APPLICABLE and chars(
        snapshot.get("ab_test.na_reason")
    ) >= config.threshold("na_reason_min_chars")
