"""Runs the checklist: which rules apply to a document, at which severity, and what they find.

Applicability (CONTENT_SPEC §2.4) comes from the configuration: per template a rule keeps its
severity, is downgraded (interview_45 runs documentation-depth rules as tips) or switched off;
course_hw activates rules cumulatively by homework. All ABT rules are skipped when the A/B
plan is validly N/A. Everything here is pure: no database, no I/O beyond the cached config.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

from apps.checklists.config import OFF, ChecklistConfigError, Config, TemplateRules, get_config
from apps.checklists.rules import (
    RULES,
    Finding,
    Rule,
    RuleContext,
    Severity,
    ab_not_applicable,
)
from apps.checklists.snapshot import DocumentSnapshot

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not_applicable"
AB_SECTION = "ab_test"
RULE_ORDER = {rule_id: index for index, rule_id in enumerate(RULES)}


@dataclass(frozen=True)
class Applicability:
    active: bool
    severity: str
    options: Mapping


@dataclass(frozen=True)
class RuleStatus:
    """One line of the checklist panel."""

    rule_id: str
    severity: str
    status: str  # passed | failed | not_applicable
    source: str
    message: str  # the template, before interpolation


def applicability(rule: Rule, template: TemplateRules, hw_level: int | None) -> Applicability:
    """Whether `rule` runs for this template and homework, at which severity, with which options."""
    severity = template.severity.get(rule.id, rule.severity)
    active = severity != OFF
    if template.hw_activation is not None and hw_level is not None:
        active = active and hw_level >= template.hw_activation[rule.id]
    option = template.options.get(rule.id)
    options: Mapping = MappingProxyType({})
    if option is not None and hw_level is not None and hw_level < option["below_hw"]:
        options = MappingProxyType({k: v for k, v in option.items() if k != "below_hw"})
    return Applicability(
        active=active,
        severity=str(rule.severity if severity == OFF else severity),
        options=options,
    )


def validate_config(config: Config) -> Config:
    """`config` if every rule it names exists and homework templates place every rule."""
    for template in config.templates.values():
        named = {*template.severity, *template.options, *(template.hw_activation or {})}
        unknown = sorted(named - set(RULES))
        if unknown:
            raise ChecklistConfigError(
                f"rules.yaml: templates.{template.key} names unknown rules {', '.join(unknown)}."
            )
        if template.hw_activation is not None:
            missing = [rule_id for rule_id in RULES if rule_id not in template.hw_activation]
            if missing:
                raise ChecklistConfigError(
                    f"rules.yaml: templates.{template.key}.hw_activation misses "
                    f"{', '.join(missing)}."
                )
    return config


@lru_cache(maxsize=1)
def checked_config() -> Config:
    """The configuration, once it has been matched against the rule registry."""
    return validate_config(get_config())


def _path_key(path: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split("."))


def _sort_key(finding: Finding) -> tuple:
    return (
        RULE_ORDER[finding.rule_id],
        tuple(_path_key(path) for path in finding.field_paths),
        finding.message,
    )


def _within_template(finding: Finding, snapshot: DocumentSnapshot) -> Finding | None:
    """Keep a finding only where the author can act on it.

    An error or warning that points only at fields the template has no input for (the
    interview blocks ask for no `why_ml`, functional requirements or batch schedule) is
    dropped; tips (info) stay, as reminders of what a full design doc would say.
    """
    if finding.severity == Severity.INFO or not finding.field_paths:
        return finding
    paths = tuple(path for path in finding.field_paths if snapshot.asks(path))
    if not paths:
        return None
    return finding if paths == finding.field_paths else replace(finding, field_paths=paths)


def _evaluate(snapshot: DocumentSnapshot) -> Iterator[tuple[Rule, Applicability, list | None]]:
    """(rule, applicability, findings or None when the rule does not apply) in rule order."""
    config = checked_config()
    template = config.template_rules(snapshot.template_key)
    skip_ab = ab_not_applicable(snapshot, config)
    for rule in RULES.values():
        state = applicability(rule, template, snapshot.hw_level)
        if not state.active or (skip_ab and rule.section == AB_SECTION):
            yield rule, state, None
            continue
        context = RuleContext(config=config, options=state.options)
        findings = [
            kept
            for finding in rule.evaluate(snapshot, context, state.severity)
            if (kept := _within_template(finding, snapshot)) is not None
        ]
        yield rule, state, findings


def run_checklist(snapshot: DocumentSnapshot) -> list[Finding]:
    """Every finding on the document, in rule order (§2.2) then field path."""
    findings = [f for _, _, found in _evaluate(snapshot) if found for f in found]
    return sorted(findings, key=_sort_key)


def rule_statuses(snapshot: DocumentSnapshot) -> list[RuleStatus]:
    """Passed / failed / not applicable for every rule, at its effective severity."""
    return [
        RuleStatus(
            rule_id=rule.id,
            severity=state.severity,
            status=NOT_APPLICABLE if found is None else FAILED if found else PASSED,
            source=rule.source,
            message=rule.message,
        )
        for rule, state, found in _evaluate(snapshot)
    ]
