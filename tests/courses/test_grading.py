"""Gradebook arithmetic: exact values, missing grades, weights from the course template, and the
grade a rubric scorecard suggests."""

from decimal import Decimal

import pytest

from apps.courses import grading, selectors
from tests.courses.conftest import graded, handed_in

D = Decimal
WEIGHTS = grading.Weights(homework=D("0.4"), project=D("0.6"))


def test_the_final_grade_is_04_of_the_homework_mean_and_06_of_the_project():
    standing = grading.final_grade([("HW1", D("7")), ("HW2", D("8")), ("HW3", D("8"))],
                                   ("Project", D("9")), WEIGHTS)  # fmt: skip
    # mean = 23 / 3 = 7.666…; final = 0.4 × 7.666… + 0.6 × 9 = 3.0666… + 5.4 = 8.4666… → 8.47
    assert standing.homework_mean == D("7.67")
    assert standing.final == D("8.47")
    assert standing.is_complete and not standing.homework_partial and standing.missing == ()


def test_the_final_uses_the_exact_mean_not_the_rounded_one():
    # Seven homework grades summing to 0.1: the mean 0.0142… shows as 0.01, but the final is
    # 0.4 × 0.0142… = 0.0057… → 0.01 (from the rounded mean it would be 0.004 → 0.00).
    homework = [("HW1", D("0.1"))] + [(f"HW{i}", D("0")) for i in range(2, 8)]
    standing = grading.final_grade(homework, ("P", D("0")), WEIGHTS)
    assert standing.homework_mean == D("0.01") and standing.final == D("0.01")


def test_rounding_is_half_up_to_two_decimals():
    standing = grading.final_grade([("a", D("0.1")), ("b", D("0"))], ("P", D("0")), WEIGHTS)
    # mean 0.05 → 0.05; final 0.4 × 0.05 = 0.02
    assert (standing.homework_mean, standing.final) == (D("0.05"), D("0.02"))
    standing = grading.final_grade([("a", D("0.1")), ("b", D("0.2"))], ("P", D("0")), WEIGHTS)
    assert standing.homework_mean == D("0.15") and standing.final == D("0.06")
    assert grading.round2(D("0.125")) == D("0.13") and grading.round2(D("0.135")) == D("0.14")


def test_a_missing_homework_leaves_the_final_incomplete_never_zero():
    standing = grading.final_grade([("HW1", D("10")), ("HW2", None)], ("Project", D("10")), WEIGHTS)
    assert standing.final is None and not standing.is_complete
    assert standing.homework_mean == D("10.00") and standing.homework_partial
    assert (standing.homework_graded, standing.homework_total) == (1, 2)
    assert standing.missing == ("HW2",)


def test_a_missing_project_or_no_project_assignment_leaves_it_incomplete():
    ungraded = grading.final_grade([("HW1", D("6"))], ("Project", None), WEIGHTS)
    assert ungraded.final is None and ungraded.missing == ("Project",)
    assert ungraded.project is None and ungraded.homework_mean == D("6.00")
    unassigned = grading.final_grade([("HW1", D("6"))], None, WEIGHTS)
    assert unassigned.final is None and len(unassigned.missing) == 1
    assert "project" in unassigned.missing[0]


def test_no_homework_at_all_is_incomplete_too():
    standing = grading.final_grade([], ("Project", D("8")), WEIGHTS)
    assert standing.final is None and standing.homework_mean is None


def test_zero_grades_count_as_grades():
    standing = grading.final_grade([("HW1", D("0"))], ("Project", D("0")), WEIGHTS)
    assert standing.final == D("0.00") and standing.is_complete


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"grade_weights": {"homework": 0.4, "project": 0.6}}, (D("0.4"), D("0.6"))),
        ({"grade_weights": {"homework": "0.25", "project": "0.75"}}, (D("0.25"), D("0.75"))),
        ({"grade_weights": {"homework": 1, "project": 0}}, (D("1"), D("0"))),
    ],
)
def test_weights_are_read_from_the_template_meta(meta, expected):
    weights = grading.weights_from_meta(meta)
    assert (weights.homework, weights.project) == expected


@pytest.mark.parametrize(
    "meta",
    [
        {},
        None,
        {"grade_weights": [0.4, 0.6]},
        {"grade_weights": {"homework": 0.4}},
        {"grade_weights": {"homework": 0.5, "project": 0.6}},
        {"grade_weights": {"homework": -0.4, "project": 1.4}},
        {"grade_weights": {"homework": True, "project": 0.6}},
        {"grade_weights": {"homework": "NaN", "project": 0.6}},
        {"grade_weights": {"homework": "much", "project": 0.6}},
    ],
)
def test_bad_weights_are_refused_with_a_reason(meta):
    with pytest.raises(grading.GradeWeightsError):
        grading.weights_from_meta(meta)


@pytest.mark.django_db
def test_the_gradebook_takes_its_weights_from_the_course_template(
    course, alice, eddie, dana, hw1, project
):
    graded(hw1, eddie, 6, alice)
    graded(project, eddie, 9, alice)
    handed_in(hw1, dana)
    book = selectors.gradebook(course)
    assert (book.weights.homework, book.weights.project) == (D("0.4"), D("0.6"))
    dana_row, eddie_row = book.rows
    assert eddie_row.standing.final == D("7.80")  # 0.4 × 6 + 0.6 × 9 = 2.4 + 5.4
    assert dana_row.standing.final is None and [c.status for c in dana_row.cells if c] == [
        "submitted"
    ]

    course.template.meta = {
        **course.template.meta,
        "grade_weights": {"homework": 0.5, "project": 0.5},
    }
    course.template.save(update_fields=["meta"])
    assert selectors.gradebook(course).rows[1].standing.final == D("7.50")

    course.template.meta = {**course.template.meta, "grade_weights": {"homework": 1}}
    course.template.save(update_fields=["meta"])
    broken = selectors.gradebook(course)
    assert broken.weights is None and "project" in broken.weights_error
    assert all(row.standing is None for row in broken.rows)


@pytest.mark.django_db
def test_the_template_file_gives_the_course_weights(templates):
    from apps.templates_catalog.models import DesignTemplate

    meta = DesignTemplate.objects.get(key="course_hw", is_latest=True).meta
    weights = grading.weights_from_meta(meta)
    assert (weights.homework, weights.project) == (D("0.4"), D("0.6"))


def test_homework_criteria_follow_the_rubric_mapping():
    assert [c.key for c in grading.homework_criteria(2)] == ["entities", "data"]
    assert [c.key for c in grading.homework_criteria(7)] == ["serving", "risks"]
    assert [(c.key, c.weight) for c in grading.homework_criteria(3)] == [
        ("baseline", 8), ("model", 10), ("progression", 4)
    ]  # fmt: skip


def test_a_scorecard_suggests_a_homework_grade_over_that_homeworks_criteria():
    entries = {"entities": {"score": 3}, "data": {"score": 2}, "model": {"score": 0}}
    # HW2: (8·3 + 12·2) / (3 · 20) × 10 = 48 / 60 × 10 = 8.0; Model is not part of HW2
    assert grading.suggested_grade(entries, [], 2) == D("8.0")
    # HW3 lacks Baseline and Progression scores: no suggestion
    assert grading.suggested_grade(entries, [], 3) is None


def test_a_cap_from_the_checklist_lowers_the_suggestion_unless_lifted():
    entries = {"entities": {"score": 3}, "data": {"score": 3}}
    findings = [{"rule_id": "ENT-02", "severity": "error", "section": "entities"}]
    # Entities capped at 1: (8·1 + 12·3) / 60 × 10 = 44 / 60 × 10 = 7.33 → 7.3
    assert grading.suggested_grade(entries, findings, 2) == D("7.3")
    lifted = {**entries, "entities": {"score": 3, "lift_cap": True}}
    assert grading.suggested_grade(lifted, findings, 2) == D("10.0")


def test_the_project_suggestion_is_the_course_project_score_over_ten():
    every = {c.key: {"score": 2} for c in grading.rubric.criteria_for("course_hw")}
    assert grading.suggested_grade(every, [], None) == D("6.7")  # 66.7 / 10
    del every["risks"]
    assert grading.suggested_grade(every, [], None) is None
