"""The reviewer rubric of content spec §5: criteria, weights per template, caps from checklist
findings, the weighted score with its verdict band or grade, and the rules a scorecard obeys.

Pure functions over fixtures/reviews/rubric.yaml, read and validated once; a malformed file
raises `RubricConfigError` at the first use. Storing scorecards is the services' job.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.templates_catalog import i18n

RUBRIC_FILE = settings.BASE_DIR / "fixtures" / "reviews" / "rubric.yaml"
SCORES = (0, 1, 2, 3)
COMMENT_MAX_CHARS = 2_000
TOTAL_WEIGHT = 100
SEVERITIES = ("error", "warning", "info")
ERROR = "error"
SECTION = "section"
KINDS = (SECTION, "cross_cutting")
# Findings stored before findings carried their variant read as the rule's default branch.
DEFAULT_VARIANT = "default"


class RubricConfigError(ImproperlyConfigured):
    """fixtures/reviews/rubric.yaml is missing a key or holds a value of the wrong shape."""


@dataclass(frozen=True)
class Criterion:
    """A criterion as a template scores it: `anchors[s]` describes score `s`."""

    key: str
    title: str
    weight: int
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Cap:
    """The highest score a criterion may get (`limit`) and the rule ids of the findings that
    set it (`because`, in the order the findings came)."""

    limit: int
    because: tuple[str, ...]


@dataclass(frozen=True)
class CriterionScore:
    """One criterion of a scorecard: the reviewer's score, the checklist's cap, whether the
    reviewer lifted it, and the score that counts."""

    criterion: Criterion
    score: int | None
    cap: Cap | None
    lifted: bool

    @property
    def applied(self) -> int | None:
        """The given score held to its cap unless the cap was lifted; None when not scored."""
        if self.score is None:
            return None
        if self.cap is None or self.lifted:
            return self.score
        return min(self.score, self.cap.limit)

    @property
    def is_capped(self) -> bool:
        return self.applied is not None and self.applied != self.score


@dataclass(frozen=True)
class Result:
    """A scorecard computed (§5.3): `total` is Σ wᵢ·sᵢ/3 over the applied scores, 0–100 to one
    decimal; `band` is set only when complete and for templates with bands; `grade` (out of 10)
    only when complete and for course templates."""

    template_key: str
    criteria: tuple[CriterionScore, ...]
    total: float
    complete: bool
    band: str
    grade: float | None


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    kind: str
    title: str
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    min: float
    label: str


@dataclass(frozen=True)
class RuleCap:
    """Caps that findings of `rule` set; with a `variant`, only findings of that branch."""

    rule: str
    variant: str | None
    limits: Mapping[str, int]


@dataclass(frozen=True)
class Rubric:
    """The parsed rubric.yaml. `criteria` and each template's weights keep the file's order."""

    scale: Mapping[int, str]
    criteria: Mapping[str, CriterionSpec]
    weights: Mapping[str, Mapping[str, int]]
    bands: Mapping[str, tuple[Band, ...]]
    graded_out_of_10: frozenset[str]
    homework_criteria: Mapping[int, tuple[str, ...]]
    error_cap: int
    rule_severities: frozenset[str]
    rule_caps: tuple[RuleCap, ...]


# Loading -------------------------------------------------------------------------------------


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise RubricConfigError(f"rubric.yaml: {message}")


def _mapping(value: Any, where: str) -> Mapping:
    _check(isinstance(value, Mapping) and bool(value), f"{where} must be a non-empty mapping")
    return value


def _text(value: Any, where: str) -> str:
    _check(isinstance(value, str) and bool(value.strip()), f"{where} must be non-empty text")
    return value


def _int(value: Any, where: str, low: int, high: int) -> int:
    _check(
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high,
        f"{where} must be a whole number from {low} to {high}",
    )
    return value


def _parse_criteria(raw: Any) -> dict[str, CriterionSpec]:
    criteria = {}
    for key, spec in _mapping(raw, "criteria").items():
        where = f"criteria.{key}"
        spec = _mapping(spec, where)
        _check(spec.get("kind") in KINDS, f"{where}.kind must be one of {', '.join(KINDS)}")
        anchors = spec.get("anchors")
        _check(
            isinstance(anchors, list) and len(anchors) == len(SCORES),
            f"{where}.anchors needs one anchor per score 0-3",
        )
        criteria[key] = CriterionSpec(
            key=_text(key, "a criterion key"),
            kind=spec["kind"],
            title=_text(spec.get("title"), f"{where}.title"),
            anchors=tuple(_text(a, f"{where}.anchors") for a in anchors),
        )
    return criteria


def _parse_weights(raw: Any, criteria: Mapping[str, CriterionSpec]) -> dict[str, dict[str, int]]:
    weights = {}
    for template, row in _mapping(raw, "weights").items():
        row = _mapping(row, f"weights.{template}")
        unknown = set(row) - set(criteria)
        _check(not unknown, f"weights.{template} names unknown criteria {sorted(unknown)}")
        row = {k: _int(w, f"weights.{template}.{k}", 0, TOTAL_WEIGHT) for k, w in row.items()}
        _check(
            sum(row.values()) == TOTAL_WEIGHT,
            f"weights.{template} sum to {sum(row.values())}, not {TOTAL_WEIGHT}",
        )
        # Keep the criteria's order, whatever order the row is written in.
        weights[template] = MappingProxyType({k: row[k] for k in criteria if row.get(k)})
    return weights


def _parse_bands(raw: Any, templates: Collection[str]) -> dict[str, tuple[Band, ...]]:
    bands = {}
    for template, rows in _mapping(raw, "bands").items():
        where = f"bands.{template}"
        _check(template in templates, f"{where}: no weights for this template")
        _check(isinstance(rows, list) and bool(rows), f"{where} must be a non-empty list")
        parsed = []
        for row in rows:
            row = _mapping(row, where)
            low = row.get("min")
            _check(
                isinstance(low, int | float) and not isinstance(low, bool) and 0 <= low <= 100,
                f"{where}: every band needs a min from 0 to 100",
            )
            parsed.append(Band(min=low, label=_text(row.get("label"), f"{where} label")))
        mins = [b.min for b in parsed]
        _check(
            mins == sorted(set(mins), reverse=True) and mins[-1] == 0,
            f"{where} must go from the highest min down to a last band at 0",
        )
        bands[template] = tuple(parsed)
    return bands


def _parse_caps(raw: Any, criteria: Mapping[str, CriterionSpec]) -> dict[str, Any]:
    caps = _mapping(raw, "caps")
    severities = caps.get("rule_severities")
    _check(
        isinstance(severities, list) and bool(severities) and set(severities) <= set(SEVERITIES),
        f"caps.rule_severities must list some of {', '.join(SEVERITIES)}",
    )
    rules = caps.get("rules")
    _check(isinstance(rules, list) and bool(rules), "caps.rules must be a non-empty list")
    rule_caps = []
    for entry in rules:
        entry = _mapping(entry, "caps.rules")
        rule = _text(entry.get("rule"), "caps.rules rule")
        variant = entry.get("variant")
        if variant is not None:
            _text(variant, f"caps.rules {rule} variant")
        limits = _mapping(entry.get("caps"), f"caps.rules {rule} caps")
        for key, limit in limits.items():
            _check(key in criteria, f"caps.rules {rule} caps unknown criterion {key!r}")
            _int(limit, f"caps.rules {rule} cap on {key}", 0, SCORES[-1] - 1)
        rule_caps.append(RuleCap(rule, variant, MappingProxyType(dict(limits))))
    return {
        "error_cap": _int(
            caps.get("any_error_in_section"), "caps.any_error_in_section", 0, SCORES[-1] - 1
        ),
        "rule_severities": frozenset(severities),
        "rule_caps": tuple(rule_caps),
    }


def load_rubric(path: Path, language: str | None = None) -> Rubric:
    """Read and validate a rubric file, its text in `language` (fixtures/i18n) if given;
    `RubricConfigError` says what is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RubricConfigError(f"rubric.yaml cannot be read: {exc}") from exc
    if language is not None:
        data = i18n.overlay(data, i18n.translation_of("reviews/rubric.yaml", language))
    data = _mapping(data, "the file")
    scale = _mapping(data.get("scale"), "scale")
    _check(set(scale) == set(SCORES), "scale must label exactly the scores 0, 1, 2 and 3")
    criteria = _parse_criteria(data.get("criteria"))
    weights = _parse_weights(data.get("weights"), criteria)
    bands = _parse_bands(data.get("bands"), weights)
    graded = data.get("grade_out_of_10") or []
    _check(
        isinstance(graded, list) and set(graded) <= set(weights),
        "grade_out_of_10 must list templates that have weights",
    )
    homework = {}
    for number, keys in _mapping(data.get("homework_criteria"), "homework_criteria").items():
        where = f"homework_criteria.{number}"
        _int(number, "a homework number", 1, 99)
        _check(isinstance(keys, list) and bool(keys), f"{where} must be a non-empty list")
        for key in keys:
            _check(
                any(key in weights[t] for t in graded),
                f"{where}: {key!r} is not a weighted criterion of a graded template",
            )
        homework[number] = tuple(keys)
    return Rubric(
        scale=MappingProxyType({s: _text(scale[s], f"scale.{s}") for s in SCORES}),
        criteria=MappingProxyType(criteria),
        weights=MappingProxyType(weights),
        bands=MappingProxyType(bands),
        graded_out_of_10=frozenset(graded),
        homework_criteria=MappingProxyType(homework),
        **_parse_caps(data.get("caps"), criteria),
    )


@cache
def _rubric_in(language: str) -> Rubric:
    return load_rubric(RUBRIC_FILE, language)


def _rubric() -> Rubric:
    """The rubric, its criteria, anchors, scale and bands in the active language."""
    return _rubric_in(get_language() or settings.LANGUAGE_CODE)


# Reading -------------------------------------------------------------------------------------


def has_rubric(template_key: str) -> bool:
    """Whether documents of this template can be scored."""
    return template_key in _rubric().weights


def scale() -> dict[int, str]:
    """The labels of the scores 0–3 (§5.1): Missing, What, What + Why, What + Why + How."""
    return dict(_rubric().scale)


def criteria_for(template_key: str) -> list[Criterion]:
    """The criteria this template scores (weight > 0), in the rubric's order; [] without a
    rubric."""
    rubric = _rubric()
    return [
        Criterion(key, rubric.criteria[key].title, weight, rubric.criteria[key].anchors)
        for key, weight in rubric.weights.get(template_key, {}).items()
    ]


def band_for(template_key: str, total: float) -> str:
    """The verdict band a total falls in (§5.3); "" for templates without bands."""
    for band in _rubric().bands.get(template_key, ()):
        if total >= band.min:
            return band.label
    return ""


# Caps and scores -----------------------------------------------------------------------------


def caps_from_findings(template_key: str, findings: Iterable[Mapping]) -> dict[str, Cap]:
    """The caps checklist findings put on this template's criteria (§5.5).

    `findings` are `Finding.as_dict()` rows with the waived ones already left out. An `error`
    in a section caps that section's criterion; the rule caps follow rubric.yaml (MET-05 only
    for its `accuracy_only` branch). Several caps on a criterion combine to the lowest.
    """
    rubric = _rubric()
    weighted = rubric.weights.get(template_key, {})
    limits: dict[str, int] = {}
    because: dict[str, list[str]] = {}

    def lower(criterion: str, limit: int, rule_id: str) -> None:
        if criterion not in weighted:
            return
        limits[criterion] = min(limit, limits.get(criterion, limit))
        reasons = because.setdefault(criterion, [])
        if rule_id not in reasons:
            reasons.append(rule_id)

    for finding in findings:
        rule_id, severity, section = finding["rule_id"], finding["severity"], finding["section"]
        spec = rubric.criteria.get(section)
        if severity == ERROR and spec is not None and spec.kind == SECTION:
            lower(section, rubric.error_cap, rule_id)
        if severity not in rubric.rule_severities:
            continue
        variant = finding.get("variant") or DEFAULT_VARIANT
        for rule_cap in rubric.rule_caps:
            if rule_cap.rule == rule_id and rule_cap.variant in (None, variant):
                for criterion, limit in rule_cap.limits.items():
                    lower(criterion, limit, rule_id)
    return {key: Cap(limits[key], tuple(because[key])) for key in limits}


def _is_score(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in SCORES


def score(
    template_key: str,
    scores: Mapping[str, int],
    findings: Iterable[Mapping],
    lifted: Collection[str] = frozenset(),
) -> Result:
    """Score a scorecard (§5.3): caps from `findings` apply except on `lifted` criteria.

    `scores` must be valid (see `scores_errors`); keys this template does not score are
    ignored, so a scorecard outlives a change of weights.
    """
    caps = caps_from_findings(template_key, findings)
    rows = []
    for criterion in criteria_for(template_key):
        given = scores.get(criterion.key)
        if given is not None and not _is_score(given):
            raise ValueError(f"Score of {criterion.key} must be 0-3, not {given!r}.")
        cap = caps.get(criterion.key)
        rows.append(
            CriterionScore(criterion, given, cap, cap is not None and criterion.key in lifted)
        )
    # Whole points keep the arithmetic exact until the one rounding.
    points = sum(r.criterion.weight * (r.applied or 0) for r in rows)
    total = round(points / SCORES[-1], 1)
    complete = bool(rows) and all(r.score is not None for r in rows)
    graded = complete and template_key in _rubric().graded_out_of_10
    return Result(
        template_key=template_key,
        criteria=tuple(rows),
        total=total,
        complete=complete,
        band=band_for(template_key, total) if complete else "",
        grade=round(points / (SCORES[-1] * 10), 1) if graded else None,
    )


def scores_errors(
    template_key: str,
    scores: Mapping[str, Any],
    comments: Mapping[str, str],
    lifted: Collection[str],
    findings: Iterable[Mapping] = (),
) -> dict[str, list[str]]:
    """Every reason a scorecard cannot be saved, by criterion key (§5.1, §5.5); {} when valid.

    A score of None means "not scored yet". `findings` are the unwaived findings, as for
    `caps_from_findings`.
    """
    rubric = _rubric()
    weighted = rubric.weights.get(template_key, {})
    findings = list(findings)
    caps = caps_from_findings(template_key, findings)
    error_sections = {f["section"] for f in findings if f["severity"] == ERROR}
    errors: dict[str, list[str]] = {}
    for key in sorted({*scores, *comments, *lifted}):
        if key not in rubric.criteria:
            errors[key] = [_("There is no rubric criterion “%(key)s”.") % {"key": key}]
            continue
        if key not in weighted:
            title = rubric.criteria[key].title
            errors[key] = [_("“%(title)s” is not scored in this template.") % {"title": title}]
            continue
        problems = []
        value = scores.get(key)
        comment = comments.get(key) or ""
        if not isinstance(comment, str):
            problems.append(_("Write the comment as text."))
            comment = ""
        comment = comment.strip()
        if value is not None and not _is_score(value):
            problems.append(_("Give a score from 0 to 3."))
        elif value is not None and value <= 1 and not comment:
            problems.append(_("Explain a score of 0 or 1 in a comment."))
        if len(comment) > COMMENT_MAX_CHARS:
            problems.append(
                _("Keep the comment to %(n)s characters.") % {"n": f"{COMMENT_MAX_CHARS:,}"}
            )
        if key in lifted:
            if key not in caps:
                problems.append(_("There is no cap to lift on this criterion."))
            elif not comment:
                problems.append(_("Say in the comment why you lift the cap."))
        if _is_score(value) and value == 3 and key in error_sections and key not in lifted:
            problems.append(
                _("This section has a checklist error: it cannot score 3 unless you lift the cap.")
            )
        if problems:
            errors[key] = problems
    return errors
