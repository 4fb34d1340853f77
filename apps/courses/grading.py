"""Course arithmetic (content spec §1.3, §5.3), pure functions over Decimals.

- A grade is 0–10 with one decimal.
- Final = w_hw × mean(homework grades) + w_project × project grade, with the weights of the
  course_hw template's `meta.grade_weights` (0.4 and 0.6, RU-C).
- Missing grades are never read as 0: while any homework of the course or the project has no
  grade, the final grade is None (incomplete) and `missing` names what is missing. The mean of
  the homework graded so far is still given, marked partial.
- The mean is exact; the mean and the final are rounded half-up to two decimals for display, and
  the final is computed from the exact mean, not the rounded one.
- The grade a rubric scorecard suggests: homework k is 10 × Σ wᵢ·sᵢ / (3 Σ wᵢ) over the criteria
  of homework k with their course_hw weights (caps applied); the project is the rubric score of
  the whole document with the course project weights, divided by 10. Both need every one of
  those criteria scored.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from django.utils.translation import gettext as _

from apps.reviews import rubric

TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")
COURSE_RUBRIC = "course_hw"  # the rubric column of course work ("Course project" in §5.3)


class GradeWeightsError(ValueError):
    """The course template's `meta.grade_weights` is missing or not two weights summing to 1."""


@dataclass(frozen=True)
class Weights:
    homework: Decimal
    project: Decimal


@dataclass(frozen=True)
class FinalGrade:
    """A student's standing: `homework_mean` over the graded homework (partial while some are
    missing), the project grade, and `final` only when nothing is missing."""

    homework_mean: Decimal | None
    homework_graded: int
    homework_total: int
    project: Decimal | None
    final: Decimal | None
    missing: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return self.final is not None

    @property
    def homework_partial(self) -> bool:
        return self.homework_mean is not None and self.homework_graded < self.homework_total


def weights_from_meta(meta: Mapping | None) -> Weights:
    """The weights of `meta["grade_weights"]` ({"homework": 0.4, "project": 0.6})."""
    raw = (meta or {}).get("grade_weights")
    if not isinstance(raw, Mapping):
        raise GradeWeightsError("The course template has no grade_weights.")
    values = {}
    for key in ("homework", "project"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise GradeWeightsError(f"grade_weights.{key} must be a number.")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise GradeWeightsError(f"grade_weights.{key} must be a number.") from None
        if not number.is_finite() or number < 0:
            raise GradeWeightsError(f"grade_weights.{key} must be a number from 0 to 1.")
        values[key] = number
    if values["homework"] + values["project"] != 1:
        raise GradeWeightsError("grade_weights.homework and .project must add up to 1.")
    return Weights(**values)


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def final_grade(
    homework: Sequence[tuple[str, Decimal | None]],
    project: tuple[str, Decimal | None] | None,
    weights: Weights,
) -> FinalGrade:
    """The standing from (label, grade or None) of each homework assignment and of the project
    assignment (None when the course has no project yet)."""
    graded = [grade for _label, grade in homework if grade is not None]
    missing = [label for label, grade in homework if grade is None]
    exact_mean = sum(graded, Decimal(0)) / len(graded) if graded else None
    project_grade = project[1] if project is not None else None
    if project is None:
        missing.append(_("a final project (none assigned yet)"))
    elif project_grade is None:
        missing.append(project[0])
    final = None
    if not missing and homework and exact_mean is not None and project_grade is not None:
        final = round2(weights.homework * exact_mean + weights.project * project_grade)
    return FinalGrade(
        homework_mean=round2(exact_mean) if exact_mean is not None else None,
        homework_graded=len(graded),
        homework_total=len(homework),
        project=project_grade,
        final=final,
        missing=tuple(missing),
    )


@cache
def _homework_criteria() -> Mapping[int, tuple[str, ...]]:
    return rubric.load_rubric(rubric.RUBRIC_FILE).homework_criteria


def homework_criteria(hw_number: int) -> list[rubric.Criterion]:
    """The rubric criteria homework `hw_number` is graded on (§5.3), with course weights."""
    keys = _homework_criteria().get(hw_number, ())
    return [c for c in rubric.criteria_for(COURSE_RUBRIC) if c.key in keys]


def suggested_grade(
    entries: Mapping[str, Mapping], findings: Sequence[Mapping], hw_number: int | None
) -> Decimal | None:
    """The grade a scorecard's `entries` give homework `hw_number` (None: the project), or None
    while one of its criteria is not scored."""
    scores = {k: e["score"] for k, e in entries.items() if e.get("score") is not None}
    lifted = {k for k, e in entries.items() if e.get("lift_cap")}
    result = rubric.score(COURSE_RUBRIC, scores, findings, lifted)
    if hw_number is None:
        if result.grade is None:
            return None
        return Decimal(str(result.grade)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    wanted = {c.key for c in homework_criteria(hw_number)}
    rows = [row for row in result.criteria if row.criterion.key in wanted]
    if not rows or any(row.applied is None for row in rows):
        return None
    points = sum(row.criterion.weight * row.applied for row in rows)
    top = rubric.SCORES[-1] * sum(row.criterion.weight for row in rows)
    return (Decimal(10) * points / top).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
