"""The rubric of content spec §5: weights, caps from findings, totals and verdict bands."""

import pytest

from apps.reviews import rubric

# §5.3, copied by hand from the spec's table so a typo in rubric.yaml fails here.
SPEC_WEIGHTS = {
    "ml_system_design": [10, 8, 12, 6, 12, 8, 10, 8, 8, 8, 4, 3, 3, 0],
    "interview_45": [12, 8, 12, 6, 10, 8, 12, 8, 6, 6, 2, 4, 0, 6],
    "course_hw": [10, 6, 12, 8, 12, 8, 10, 8, 8, 6, 4, 4, 4, 0],
}
ORDER = [
    "problem", "requirements", "metrics", "entities", "data", "baseline", "model", "serving",
    "monitoring", "ab_test", "risks", "progression", "tradeoffs", "communication",
]  # fmt: skip


NO_THREE = "This section has a checklist error: it cannot score 3 unless you lift the cap."
NO_CAP = "There is no cap to lift on this criterion."


def finding(rule_id, section, severity="warning", variant="default"):
    return {"rule_id": rule_id, "section": section, "severity": severity, "variant": variant}


def all_scores(template, value):
    return {c.key: value for c in rubric.criteria_for(template)}


@pytest.mark.parametrize("template", sorted(SPEC_WEIGHTS))
def test_weights_match_the_spec_and_sum_to_100(template):
    expected = {k: w for k, w in zip(ORDER, SPEC_WEIGHTS[template], strict=True) if w}
    criteria = rubric.criteria_for(template)
    assert {c.key: c.weight for c in criteria} == expected
    assert [c.key for c in criteria] == [k for k in ORDER if k in expected]
    assert sum(c.weight for c in criteria) == 100


def test_every_criterion_has_an_anchor_per_score():
    for criterion in rubric.criteria_for("interview_45"):
        assert len(criterion.anchors) == 4 and all(criterion.anchors)
    assert rubric.scale() == {0: "Missing", 1: "What", 2: "What + Why", 3: "What + Why + How"}


def test_a_worked_total_by_hand():
    scores = all_scores("ml_system_design", 2) | {"problem": 3, "risks": 0}
    # Σ w·s = 2·100 + 10 (problem 3 instead of 2) − 8 (risks 0 instead of 2) = 202 → 202/3.
    result = rubric.score("ml_system_design", scores, [])
    assert result.total == round(202 / 3, 1) == 67.3
    assert result.complete and result.band == "Work in progress" and result.grade is None


@pytest.mark.parametrize(
    ("total_scores", "band"),
    [(3, "Ready for sign-off"), (2, "Work in progress"), (0, "Not reviewable")],
)
def test_bands_of_the_full_template(total_scores, band):
    result = rubric.score("ml_system_design", all_scores("ml_system_design", total_scores), [])
    assert result.band == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (85, "Ready for sign-off"),
        (84.9, "Solid draft (fix warnings)"),
        (70, "Solid draft (fix warnings)"),
        (69.9, "Work in progress"),
        (50, "Work in progress"),
        (49.9, "Not reviewable"),
    ],
)
def test_band_boundaries(total, band):
    assert rubric._band("ml_system_design", total) == band


def test_interview_bands():
    assert rubric._band("interview_45", 80) == "Strong hire signal"
    assert rubric._band("interview_45", 79.9) == "Hire signal"
    assert rubric._band("interview_45", 64.9) == "Borderline"
    assert rubric._band("interview_45", 10) == "No-hire signal"


def test_an_incomplete_scorecard_has_a_total_but_no_band():
    result = rubric.score("ml_system_design", {"problem": 3}, [])
    assert result.total == 10.0 and not result.complete and result.band == ""


def test_course_documents_get_a_grade_out_of_ten():
    result = rubric.score("course_hw", all_scores("course_hw", 2), [])
    assert result.total == 66.7 and result.grade == 6.7 and result.band == ""


@pytest.mark.parametrize(
    ("found", "caps"),
    [
        (finding("MOD-01", "model", "error"), {"model": 1}),
        (finding("BAS-01", "baseline", "error"), {"baseline": 0, "progression": 1}),
        (finding("DAT-05", "data", "error"), {"data": 1, "model": 2}),
        (finding("ENT-02", "entities", "error"), {"entities": 1}),
        (finding("MET-05", "metrics", variant="accuracy_only"), {"metrics": 1}),
        (finding("MET-05", "metrics"), {}),
        (finding("REQ-03", "requirements", "error"), {"requirements": 1, "serving": 2}),
        (finding("ABT-04", "ab_test", "error"), {"ab_test": 1}),
        (finding("DOC-01", "clarify", "error"), {}),
    ],
)
def test_each_cap_of_the_spec(found, caps):
    assert {k: c.limit for k, c in rubric.caps_from_findings([found]).items()} == caps


def test_caps_combine_by_taking_the_lowest_and_name_their_rules():
    caps = rubric.caps_from_findings(
        [finding("DAT-05", "data", "error"), finding("MOD-01", "model", "error")]
    )
    assert caps["model"].limit == 1 and caps["model"].because == ("DAT-05", "MOD-01")


def test_a_cap_lowers_the_applied_score_unless_lifted():
    findings = [finding("BAS-01", "baseline", "error")]
    scores = all_scores("ml_system_design", 3)
    capped = rubric.score("ml_system_design", scores, findings)
    rows = {r.criterion.key: r for r in capped.criteria}
    assert rows["baseline"].applied == 0 and rows["baseline"].is_capped
    assert rows["progression"].applied == 1
    assert capped.total == round((300 - 8 * 3 - 3 * 2) / 3, 1)
    lifted = rubric.score("ml_system_design", scores, findings, lifted={"baseline"})
    assert {r.criterion.key: r.applied for r in lifted.criteria}["baseline"] == 3


def test_waived_findings_are_left_out_by_the_caller_and_do_not_cap():
    assert rubric.score("ml_system_design", all_scores("ml_system_design", 3), []).total == 100


@pytest.mark.parametrize(
    ("scores", "comments", "lifted", "findings", "errors"),
    [
        ({"problem": 4}, {}, set(), [], {"problem": ["Score from 0 to 3."]}),
        ({"problem": True}, {}, set(), [], {"problem": ["Score from 0 to 3."]}),
        ({"problem": 1}, {}, set(), [], {"problem": ["Explain a score of 0 or 1 in a comment."]}),
        ({"problem": 1}, {"problem": "Generic goal."}, set(), [], {}),
        (
            {"communication": 2},
            {},
            set(),
            [],
            {"communication": ["This template's rubric has no criterion “communication”."]},
        ),
        ({"model": 2}, {}, {"model"}, [], {"model": [NO_CAP]}),
        (
            {"model": 2},
            {},
            {"model"},
            [finding("MOD-01", "model", "error")],
            {"model": ["Say in the comment why you lift the cap."]},
        ),
        ({"model": 3}, {}, set(), [finding("MOD-01", "model", "error")], {"model": [NO_THREE]}),
        (
            {"model": 3},
            {"model": "Loss is fine."},
            {"model"},
            [finding("MOD-01", "model", "error")],
            {},
        ),
        (
            {"problem": 2},
            {"problem": "x" * 2_001},
            set(),
            [],
            {"problem": ["Keep the comment to 2,000 characters."]},
        ),
    ],
)
def test_score_validation(scores, comments, lifted, findings, errors):
    assert rubric.scores_errors("ml_system_design", scores, comments, lifted, findings) == errors
