"""The reviewer rubric (content spec §5): criteria, weights per template, caps from checklist
findings, the weighted score and its verdict band. Pure functions over
fixtures/reviews/rubric.yaml; the scorecard service stores what reviewers enter."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

RUBRIC_FILE = Path(settings.BASE_DIR) / "fixtures" / "reviews" / "rubric.yaml"
SCORES = (0, 1, 2, 3)
COMMENT_MAX_CHARS = 2_000


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    weight: int
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Cap:
    """The highest score a criterion may get, and the findings that set it."""

    limit: int
    because: tuple[str, ...]


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    score: int | None
    cap: Cap | None
    lifted: bool

    @property
    def applied(self) -> int | None:
        """The score that counts: the given one, held to its cap unless the cap was lifted."""
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
    template_key: str
    criteria: tuple[CriterionScore, ...]
    total: float
    complete: bool
    band: str
    grade: float | None  # out of 10, for course documents


@cache
def _config() -> dict[str, Any]:
    data = yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8"))
    criteria = data.get("criteria") or {}
    for template, weights in (data.get("weights") or {}).items():
        unknown = set(weights) - set(criteria)
        if unknown or sum(weights.values()) != 100:
            raise ImproperlyConfigured(
                f"rubric.yaml: weights of {template} must name known criteria and sum to 100"
            )
    for key, criterion in criteria.items():
        if len(criterion.get("anchors") or []) != len(SCORES):
            raise ImproperlyConfigured(f"rubric.yaml: {key} needs one anchor per score 0-3")
    return data


def has_rubric(template_key: str) -> bool:
    return template_key in _config()["weights"]


def scale() -> dict[int, str]:
    return {int(k): v for k, v in _config()["scale"].items()}


def criteria_for(template_key: str) -> list[Criterion]:
    """The criteria with a weight in this template, in the rubric's order."""
    config = _config()
    weights = config["weights"].get(template_key, {})
    return [
        Criterion(key, c["title"], weights[key], tuple(c["anchors"]))
        for key, c in config["criteria"].items()
        if weights.get(key)
    ]


def caps_from_findings(findings: list[dict]) -> dict[str, Cap]:
    """Caps from unwaived checklist findings (§5.5); the lowest cap on a criterion wins."""
    config = _config()
    criteria = config["criteria"]
    rules = config["caps"]["rules"]
    limits: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}

    def lower(criterion: str, limit: int, rule_id: str) -> None:
        if criterion not in criteria:
            return
        if criterion not in limits or limit < limits[criterion]:
            limits[criterion] = limit
        if rule_id not in reasons.setdefault(criterion, []):
            reasons[criterion].append(rule_id)

    for finding in findings:
        rule_id = finding["rule_id"]
        if finding["severity"] == "error":
            lower(finding["section"], config["caps"]["any_error"], rule_id)
        variant = finding.get("variant", "default")
        for key in (rule_id, f"{rule_id}:{variant}"):
            for criterion, limit in (rules.get(key) or {}).items():
                lower(criterion, limit, rule_id)
    return {k: Cap(limits[k], tuple(reasons[k])) for k in limits}


def _band(template_key: str, total: float) -> str:
    for band in _config()["bands"].get(template_key, []):
        if total >= band["min"]:
            return band["label"]
    return ""


def score(
    template_key: str,
    scores: dict[str, int],
    findings: list[dict],
    lifted: frozenset[str] | set[str] = frozenset(),
) -> Result:
    """Score = Σ wᵢ·sᵢ / 3 over the applied scores (§5.3), with the verdict band when every
    weighted criterion is scored."""
    caps = caps_from_findings(findings)
    rows = tuple(
        CriterionScore(c, scores.get(c.key), caps.get(c.key), c.key in lifted)
        for c in criteria_for(template_key)
    )
    total = round(sum(r.criterion.weight * (r.applied or 0) for r in rows) / 3, 1)
    complete = bool(rows) and all(r.score is not None for r in rows)
    course = template_key in _config().get("grade_out_of_10", [])
    return Result(
        template_key=template_key,
        criteria=rows,
        total=total,
        complete=complete,
        band=_band(template_key, total) if complete else "",
        grade=round(total / 10, 1) if complete and course else None,
    )


def scores_errors(
    template_key: str,
    scores: dict[str, Any],
    comments: dict[str, str],
    lifted: set[str],
    findings: list[dict],
) -> dict[str, list[str]]:
    """Every reason the entered scores cannot be saved, by criterion (§5.1, §5.5)."""
    known = {c.key for c in criteria_for(template_key)}
    error_sections = {f["section"] for f in findings if f["severity"] == "error"}
    caps = caps_from_findings(findings)
    errors: dict[str, list[str]] = {}
    for key in sorted(set(scores) | set(comments) | set(lifted)):
        problems = []
        if key not in known:
            errors[key] = [_("This template's rubric has no criterion “%(key)s”.") % {"key": key}]
            continue
        value = scores.get(key)
        comment = (comments.get(key) or "").strip()
        if value is not None and (isinstance(value, bool) or value not in SCORES):
            problems.append(_("Score from 0 to 3."))
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
        if value == 3 and key in error_sections and key not in lifted:
            problems.append(
                _("This section has a checklist error: it cannot score 3 unless you lift the cap.")
            )
        if problems:
            errors[key] = problems
    return errors
