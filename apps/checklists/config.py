"""Checklist configuration: thresholds, lookup tables and per-template applicability.

Read once from fixtures/checklists/rules.yaml (content spec §2.2 to §2.4) and validated on load,
so a malformed file fails loudly at the first checklist run instead of skewing results.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CONFIG_FILE = settings.BASE_DIR / "fixtures" / "checklists" / "rules.yaml"
SEVERITIES = ("error", "warning", "info")
OFF = "off"

REQUIRED_THRESHOLDS = (
    "business_goal_min_chars",
    "why_ml_min_chars",
    "metric_definition_min_chars",
    "label_definition_min_chars",
    "na_reason_min_chars",
    "imbalance_positive_rate",
    "ranking_min_entities",
    "min_model_candidates",
    "alpha_min_exclusive",
    "alpha_max",
    "power_min",
    "power_max",
    "allocation_max_total",
    "sample_size_tolerance",
    "min_duration_days",
    "vif_no_inflation",
)
REQUIRED_ENUMS = (
    "metric_kind",
    "metric_direction",
    "feature_freshness",
    "serving_mode",
    "inference_location",
    "ab_metric_type",
    "mde_type",
    "sides",
)
REQUIRED_SETS = (
    "CLASSIF",
    "RANKING",
    "TIME_SPLITS",
    "ONLINE",
    "FORECASTING",
    "UNLABELLED_TASKS",
    "DELAYED_LABEL_SOURCES",
    "REQUIRED_METRIC_KINDS",
    "TARGETED_METRIC_KINDS",
    "AB_PRIMARY_KINDS",
    "HEURISTIC_STAGES",
    "ENTITY_PSEUDO_NAMES",
    "VARIANCE_AWARE_TESTS",
    "MODEL_STAGE_MARKERS",
    "ACCURACY_METRICS",
)

_AT_K = re.compile(r"(@(k|\d+)|_at_\d+)$")


class ChecklistConfigError(ImproperlyConfigured):
    """fixtures/checklists/rules.yaml is missing a key or holds a value of the wrong shape."""


def canonicalise_metric_name(name: str) -> str:
    """The §2.3 steps before the alias lookup.

    Lower-case, trim, spaces -> '_', '@k' / '@<n>' / '_at_<n>' -> '_at_k'.
    """
    name = re.sub(r"\s+", "_", name.strip().lower())
    return _AT_K.sub("_at_k", name)


@dataclass(frozen=True)
class TemplateRules:
    """How one template applies the rules (§2.4)."""

    key: str
    severity: MappingProxyType  # rule id -> error | warning | info | off
    hw_activation: MappingProxyType | None  # rule id -> first homework that runs it
    options: MappingProxyType  # rule id -> {"below_hw": n, **options}


@dataclass(frozen=True)
class Config:
    thresholds: MappingProxyType
    enums: MappingProxyType
    sets: MappingProxyType
    monitoring_layers: MappingProxyType
    metric_aliases: MappingProxyType  # canonicalised alias -> canonical name
    allowed_offline_metrics: MappingProxyType  # task -> metric names in file order
    imbalance_aware_metrics: frozenset
    templates: MappingProxyType
    default_template: str

    def threshold(self, name: str) -> float:
        try:
            return self.thresholds[name]
        except KeyError:
            raise ChecklistConfigError(f"rules.yaml: no threshold '{name}'.") from None

    def enum(self, name: str) -> frozenset:
        try:
            return self.enums[name]
        except KeyError:
            raise ChecklistConfigError(f"rules.yaml: no enum '{name}'.") from None

    def members(self, name: str) -> frozenset:
        try:
            return self.sets[name]
        except KeyError:
            raise ChecklistConfigError(f"rules.yaml: no set '{name}'.") from None

    def canonical_metric(self, name: str) -> str:
        """The §2.3 canonical name of an offline metric (`AUROC` -> `roc_auc`)."""
        key = canonicalise_metric_name(name)
        return self.metric_aliases.get(key, key)

    def template_rules(self, template_key: str) -> TemplateRules:
        return self.templates.get(template_key) or self.templates[self.default_template]


def _fail(path: Path, message: str) -> None:
    raise ChecklistConfigError(f"{path.name}: {message}")


def _mapping(path: Path, data: Any, key: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        _fail(path, f"'{key}' must be a mapping.")
    return value


def _names(path: Path, value: Any, where: str) -> tuple:
    """A non-empty list of names (or small integers, for `sides`), in file order."""
    if not isinstance(value, list) or not value:
        _fail(path, f"'{where}' must be a non-empty list.")
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        _fail(path, f"'{where}' must list names.")
    return tuple(dict.fromkeys(value))


def _number(path: Path, value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, f"'{where}' must be a number.")
    return value


def _template_rules(path: Path, key: str, spec: Any) -> TemplateRules:
    if not isinstance(spec, dict):
        _fail(path, f"templates.{key} must be a mapping.")
    severity = spec.get("severity") or {}
    if not isinstance(severity, dict):
        _fail(path, f"templates.{key}.severity must be a mapping.")
    for rule_id, level in severity.items():
        if level not in (*SEVERITIES, OFF):
            _fail(path, f"templates.{key}.severity.{rule_id}: '{level}' is not a severity.")
    activation = spec.get("hw_activation")
    if activation is not None:
        if not isinstance(activation, dict) or not activation:
            _fail(path, f"templates.{key}.hw_activation must be a non-empty mapping.")
        for rule_id, hw in activation.items():
            if isinstance(hw, bool) or not isinstance(hw, int) or hw < 1:
                _fail(path, f"templates.{key}.hw_activation.{rule_id} must be a homework >= 1.")
    options = spec.get("options") or {}
    if not isinstance(options, dict):
        _fail(path, f"templates.{key}.options must be a mapping.")
    for rule_id, option in options.items():
        below = option.get("below_hw") if isinstance(option, dict) else None
        if isinstance(below, bool) or not isinstance(below, int):
            _fail(path, f"templates.{key}.options.{rule_id} needs an integer 'below_hw'.")
    return TemplateRules(
        key=key,
        severity=MappingProxyType(dict(severity)),
        hw_activation=MappingProxyType(dict(activation)) if activation is not None else None,
        options=MappingProxyType({r: MappingProxyType(dict(o)) for r, o in options.items()}),
    )


def parse_config(path: Path) -> Config:
    """Read and validate a checklist configuration file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ChecklistConfigError(f"{path.name}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        _fail(path, "the file must be a mapping.")

    raw_thresholds = _mapping(path, data, "thresholds")
    thresholds = {}
    for name in REQUIRED_THRESHOLDS:
        if name not in raw_thresholds:
            _fail(path, f"missing threshold '{name}'.")
        thresholds[name] = _number(path, raw_thresholds[name], f"thresholds.{name}")

    raw_enums = _mapping(path, data, "enums")
    enums = {
        name: frozenset(_names(path, raw_enums.get(name), f"enums.{name}"))
        for name in REQUIRED_ENUMS
    }
    raw_sets = _mapping(path, data, "sets")
    sets = {
        name: frozenset(_names(path, raw_sets.get(name), f"sets.{name}")) for name in REQUIRED_SETS
    }
    layers = {
        layer: frozenset(_names(path, categories, f"monitoring_layers.{layer}"))
        for layer, categories in _mapping(path, data, "monitoring_layers").items()
    }

    aliases: dict[str, str] = {}
    for canonical, names in _mapping(path, data, "metric_aliases").items():
        for alias in _names(path, names, f"metric_aliases.{canonical}"):
            aliases[canonicalise_metric_name(str(alias))] = canonical
    allowed = {
        task: _names(path, metrics, f"allowed_offline_metrics.{task}")
        for task, metrics in _mapping(path, data, "allowed_offline_metrics").items()
    }
    imbalance_aware = frozenset(
        _names(path, data.get("imbalance_aware_metrics"), "imbalance_aware_metrics")
    )

    templates = {
        key: _template_rules(path, key, spec)
        for key, spec in _mapping(path, data, "templates").items()
    }
    default_template = data.get("default_template")
    if default_template not in templates:
        _fail(path, "'default_template' must name one of the templates.")

    return Config(
        thresholds=MappingProxyType(thresholds),
        enums=MappingProxyType(enums),
        sets=MappingProxyType(sets),
        monitoring_layers=MappingProxyType(layers),
        metric_aliases=MappingProxyType(aliases),
        allowed_offline_metrics=MappingProxyType(allowed),
        imbalance_aware_metrics=imbalance_aware,
        templates=MappingProxyType(templates),
        default_template=default_template,
    )


@lru_cache(maxsize=1)
def get_config() -> Config:
    """The checklist configuration, parsed once per process."""
    return parse_config(CONFIG_FILE)
