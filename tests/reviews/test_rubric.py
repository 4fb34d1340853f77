"""The rubric of content spec §5: weights, caps from findings, totals, bands and validation."""

import copy

import pytest
import yaml
from django.conf import settings

from apps.checklists.rules import RULES
from apps.reviews import rubric

# §5.3, copied by hand from the spec's table so a typo in rubric.yaml fails here.
ORDER = [
    "problem", "requirements", "metrics", "entities", "data", "baseline", "model", "serving",
    "monitoring", "ab_test", "risks", "progression", "tradeoffs", "communication",
]  # fmt: skip
SPEC_WEIGHTS = {
    "ml_system_design": [10, 8, 12, 6, 12, 8, 10, 8, 8, 8, 4, 3, 3, 0],
    "interview_45": [12, 8, 12, 6, 10, 8, 12, 8, 6, 6, 2, 4, 0, 6],
    "course_hw": [10, 6, 12, 8, 12, 8, 10, 8, 8, 6, 4, 4, 4, 0],
}

EXPLAIN = "Explain a score of 0 or 1 in a comment."
NOT_0_TO_3 = "Give a score from 0 to 3."
NO_CAP = "There is no cap to lift on this criterion."
SAY_WHY = "Say in the comment why you lift the cap."
NO_THREE = "This section has a checklist error: it cannot score 3 unless you lift the cap."


def finding(rule_id, section, severity="error", variant="default"):
    return {
        "rule_id": rule_id,
        "severity": severity,
        "section": section,
        "field_paths": [f"{section}.x"],
        "message": "Fix it.",
        "source": "spec",
        "variant": variant,
    }


def all_scores(template, value):
    return {c.key: value for c in rubric.criteria_for(template)}


def applied(result):
    return {r.criterion.key: r.applied for r in result.criteria}


def limits(caps):
    return {key: cap.limit for key, cap in caps.items()}


# The data file -------------------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(SPEC_WEIGHTS))
def test_weights_match_the_spec_and_sum_to_100(template):
    expected = {k: w for k, w in zip(ORDER, SPEC_WEIGHTS[template], strict=True) if w}
    criteria = rubric.criteria_for(template)
    assert {c.key: c.weight for c in criteria} == expected
    assert [c.key for c in criteria] == [k for k in ORDER if k in expected]
    assert sum(c.weight for c in criteria) == sum(SPEC_WEIGHTS[template]) == 100


def test_criteria_with_weight_zero_are_not_scored_in_their_template():
    assert "communication" not in {c.key for c in rubric.criteria_for("ml_system_design")}
    assert "tradeoffs" not in {c.key for c in rubric.criteria_for("interview_45")}
    assert "communication" in {c.key for c in rubric.criteria_for("interview_45")}


def test_a_template_without_weights_has_no_rubric():
    assert not rubric.has_rubric("blank") and rubric.criteria_for("blank") == []
    assert all(rubric.has_rubric(t) for t in SPEC_WEIGHTS)


def test_every_criterion_has_a_title_and_an_anchor_per_score():
    criteria = {c.key: c for t in SPEC_WEIGHTS for c in rubric.criteria_for(t)}
    assert set(criteria) == set(ORDER)
    for criterion in criteria.values():
        assert criterion.title and len(criterion.anchors) == 4 and all(criterion.anchors)
    assert criteria["metrics"].anchors[0] == "None, or accuracy only"
    assert criteria["baseline"].anchors[2] == (
        "Heuristic baseline described and measured on the offline metric"
    )


def test_the_scale_labels_what_why_and_how():
    assert rubric.scale() == {0: "Missing", 1: "What", 2: "What + Why", 3: "What + Why + How"}


def test_section_criteria_are_the_canonical_field_groups():
    canonical = yaml.safe_load(
        (settings.BASE_DIR / "fixtures" / "canonical_fields.yaml").read_text(encoding="utf-8")
    )
    sections = [k for k, c in rubric._rubric().criteria.items() if c.kind == rubric.SECTION]
    assert sections == list(canonical["groups"]) == ORDER[:11]


def test_caps_name_registered_rules_and_their_variants():
    for rule_cap in rubric._rubric().rule_caps:
        assert rule_cap.rule in RULES
        if rule_cap.variant is not None:
            assert rule_cap.variant in RULES[rule_cap.rule].variants


def test_homework_criteria_follow_the_spec_and_are_course_criteria():
    homework = rubric._rubric().homework_criteria
    assert homework == {
        1: ("problem", "requirements", "metrics", "progression"),
        2: ("entities", "data"),
        3: ("baseline", "model", "progression"),
        4: ("metrics", "ab_test"),
        5: ("monitoring",),
        6: ("serving",),
        7: ("serving", "risks"),
    }
    assert rubric._rubric().graded_out_of_10 == {"course_hw"}


def test_the_rubric_file_is_read_once():
    assert rubric._rubric() is rubric._rubric()


# A malformed file ----------------------------------------------------------------------------


def raw_rubric():
    return yaml.safe_load(rubric.RUBRIC_FILE.read_text(encoding="utf-8"))


def break_weights(data):
    data["weights"]["course_hw"]["risks"] = 5


def break_weight_key(data):
    data["weights"]["interview_45"]["charisma"] = 0


def break_anchors(data):
    data["criteria"]["data"]["anchors"].pop()


def break_kind(data):
    data["criteria"]["data"]["kind"] = "group"


def break_title(data):
    data["criteria"]["model"]["title"] = " "


def break_scale(data):
    del data["scale"][3]


def break_band_order(data):
    data["bands"]["interview_45"].reverse()


def break_band_floor(data):
    data["bands"]["ml_system_design"].pop()


def break_band_template(data):
    data["bands"]["take_home"] = [{"min": 0, "label": "Any"}]


def break_cap_limit(data):
    data["caps"]["rules"][0]["caps"]["baseline"] = 3


def break_cap_criterion(data):
    data["caps"]["rules"][0]["caps"]["charisma"] = 1


def break_cap_severity(data):
    data["caps"]["rule_severities"] = ["fatal"]


def break_error_cap(data):
    del data["caps"]["any_error_in_section"]


def break_homework(data):
    data["homework_criteria"][5] = ["communication"]


def break_graded(data):
    data["grade_out_of_10"] = ["take_home"]


@pytest.mark.parametrize(
    ("breaks", "says"),
    [
        (break_weights, "weights.course_hw sum to 101, not 100"),
        (break_weight_key, "weights.interview_45 names unknown criteria ['charisma']"),
        (break_anchors, "criteria.data.anchors needs one anchor per score 0-3"),
        (break_kind, "criteria.data.kind must be one of"),
        (break_title, "criteria.model.title must be non-empty text"),
        (break_scale, "scale must label exactly the scores 0, 1, 2 and 3"),
        (break_band_order, "bands.interview_45 must go from the highest min down"),
        (break_band_floor, "bands.ml_system_design must go from the highest min down"),
        (break_band_template, "bands.take_home: no weights for this template"),
        (break_cap_limit, "caps.rules BAS-01 cap on baseline must be a whole number from 0 to 2"),
        (break_cap_criterion, "caps.rules BAS-01 caps unknown criterion 'charisma'"),
        (break_cap_severity, "caps.rule_severities must list some of"),
        (break_error_cap, "caps.any_error_in_section must be a whole number"),
        (break_homework, "homework_criteria.5: 'communication' is not a weighted criterion"),
        (break_graded, "grade_out_of_10 must list templates that have weights"),
    ],
)
def test_a_malformed_rubric_file_fails_loudly(tmp_path, breaks, says):
    data = copy.deepcopy(raw_rubric())
    breaks(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(rubric.RubricConfigError, match="^rubric.yaml: " + says.replace("[", r"\[")):
        rubric.load_rubric(path)


def test_an_unreadable_rubric_file_fails_loudly(tmp_path):
    with pytest.raises(rubric.RubricConfigError, match="cannot be read"):
        rubric.load_rubric(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("weights: [unclosed", encoding="utf-8")
    with pytest.raises(rubric.RubricConfigError, match="cannot be read"):
        rubric.load_rubric(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(rubric.RubricConfigError, match="the file must be a non-empty mapping"):
        rubric.load_rubric(empty)


def test_the_shipped_rubric_file_round_trips_through_the_loader(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(raw_rubric(), allow_unicode=True), encoding="utf-8")
    assert rubric.load_rubric(path) == rubric._rubric()


# Totals, bands and grades --------------------------------------------------------------------


def test_a_worked_total_by_hand():
    scores = all_scores("ml_system_design", 2) | {"problem": 3, "risks": 0, "tradeoffs": 1}
    # Σ w·s = 2·100 + 10·(3−2) − 4·(2−0) − 3·(2−1) = 199; total = 199 / 3 = 66.33… → 66.3.
    result = rubric.score("ml_system_design", scores, [])
    assert result.total == 66.3
    assert result.complete and result.band == "Work in progress" and result.grade is None
    assert [r.criterion.key for r in result.criteria] == ORDER[:13]


def test_an_interview_total_by_hand():
    scores = all_scores("interview_45", 3) | {"communication": 1, "ab_test": 2}
    # 300 − 6·2 − 6·1 = 282 → 94.0.
    result = rubric.score("interview_45", scores, [])
    assert result.total == 94.0 and result.band == "Strong hire signal"


def test_exactly_85_is_ready_for_sign_off_and_one_point_less_is_a_solid_draft():
    ready = all_scores("ml_system_design", 3) | {"problem": 0, "metrics": 2, "progression": 2}
    # 300 − 30 − 12 − 3 = 255 → 85.0.
    assert rubric.score("ml_system_design", ready, []).total == 85.0
    assert rubric.score("ml_system_design", ready, []).band == "Ready for sign-off"
    draft = all_scores("ml_system_design", 3) | {"problem": 0, "requirements": 1}
    # 300 − 30 − 16 = 254 → 84.7.
    assert rubric.score("ml_system_design", draft, []).total == 84.7
    assert rubric.score("ml_system_design", draft, []).band == "Solid draft (fix warnings)"


@pytest.mark.parametrize(
    ("template", "total", "band"),
    [
        ("ml_system_design", 100, "Ready for sign-off"),
        ("ml_system_design", 85, "Ready for sign-off"),
        ("ml_system_design", 84.9, "Solid draft (fix warnings)"),
        ("ml_system_design", 70, "Solid draft (fix warnings)"),
        ("ml_system_design", 69.9, "Work in progress"),
        ("ml_system_design", 50, "Work in progress"),
        ("ml_system_design", 49.9, "Not reviewable"),
        ("ml_system_design", 0, "Not reviewable"),
        ("interview_45", 80, "Strong hire signal"),
        ("interview_45", 79.9, "Hire signal"),
        ("interview_45", 65, "Hire signal"),
        ("interview_45", 64.9, "Borderline"),
        ("interview_45", 50, "Borderline"),
        ("interview_45", 49.9, "No-hire signal"),
        ("course_hw", 90, ""),
    ],
)
def test_bands_at_their_boundaries(template, total, band):
    assert rubric.band_for(template, total) == band


@pytest.mark.parametrize(
    ("value", "band"),
    [(3, "Ready for sign-off"), (2, "Work in progress"), (1, "Not reviewable")],
)
def test_uniform_scores_land_in_their_band(value, band):
    result = rubric.score("ml_system_design", all_scores("ml_system_design", value), [])
    assert result.total == round(100 * value / 3, 1) and result.band == band


def test_an_incomplete_scorecard_has_a_total_but_no_band():
    result = rubric.score("ml_system_design", {"problem": 3, "metrics": 1}, [])
    assert result.total == 14.0 and not result.complete and result.band == ""
    assert applied(result)["data"] is None


def test_an_empty_scorecard_is_incomplete_and_scores_zero():
    result = rubric.score("interview_45", {}, [])
    assert result.total == 0 and not result.complete and result.band == ""


def test_a_template_without_a_rubric_scores_nothing():
    result = rubric.score("blank", {"problem": 3}, [])
    assert result.criteria == () and result.total == 0 and not result.complete


def test_scores_of_criteria_the_template_does_not_weigh_are_ignored():
    scores = all_scores("ml_system_design", 2) | {"communication": 3}
    result = rubric.score("ml_system_design", scores, [])
    assert result.total == 66.7 and "communication" not in applied(result)


def test_course_documents_get_a_grade_out_of_ten_and_no_band():
    result = rubric.score("course_hw", all_scores("course_hw", 2), [])
    assert result.total == 66.7 and result.grade == 6.7 and result.band == ""
    scores = all_scores("course_hw", 3) | {"requirements": 0}
    assert rubric.score("course_hw", scores, []).grade == 9.4  # 282 / 30


def test_an_incomplete_course_scorecard_has_no_grade():
    assert rubric.score("course_hw", {"problem": 3}, []).grade is None


@pytest.mark.parametrize("bad", [4, -1, True, "2", 2.0])
def test_scoring_refuses_a_score_that_validation_would_refuse(bad):
    with pytest.raises(ValueError, match="Score of problem must be 0-3"):
        rubric.score("ml_system_design", {"problem": bad}, [])


# Caps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "caps"),
    [
        # Any error in a section: that section ≤ 1.
        (finding("MOD-01", "model"), {"model": 1}),
        (finding("PRB-01", "problem"), {"problem": 1}),
        # BAS-01: Baseline = 0; Progression ≤ 1.
        (finding("BAS-01", "baseline"), {"baseline": 0, "progression": 1}),
        # DAT-05: Data ≤ 1; Model ≤ 2.
        (finding("DAT-05", "data"), {"data": 1, "model": 2}),
        # ENT-02: Entities & features ≤ 1.
        (finding("ENT-02", "entities"), {"entities": 1}),
        # MET-05 (b): Metrics ≤ 1, although MET-05 is a warning.
        (finding("MET-05", "metrics", "warning", "accuracy_only"), {"metrics": 1}),
        # REQ-03: Requirements ≤ 1; Serving ≤ 2.
        (finding("REQ-03", "requirements"), {"requirements": 1, "serving": 2}),
        # ABT-04: A/B test ≤ 1.
        (finding("ABT-04", "ab_test"), {"ab_test": 1}),
    ],
)
def test_each_cap_of_the_spec_triggers_and_lowers_the_applied_score(found, caps):
    assert limits(rubric.caps_from_findings("ml_system_design", [found])) == caps
    scores = all_scores("ml_system_design", 3)
    result = rubric.score("ml_system_design", scores, [found])
    rows = {r.criterion.key: r for r in result.criteria}
    for key, limit in caps.items():
        assert rows[key].score == 3 and rows[key].applied == limit and rows[key].is_capped
        assert rows[key].cap.because == (found["rule_id"],)
    points = sum(c.weight * (caps.get(c.key, 3)) for c in rubric.criteria_for("ml_system_design"))
    assert result.total == round(points / 3, 1) < 100


def test_a_cap_above_the_score_changes_nothing():
    result = rubric.score("ml_system_design", {"model": 1}, [finding("DAT-05", "data")])
    row = {r.criterion.key: r for r in result.criteria}["model"]
    assert row.cap.limit == 2 and row.applied == 1 and not row.is_capped


def test_met_05_caps_only_for_accuracy_on_imbalanced_data():
    wrong_family = finding("MET-05", "metrics", "warning")
    stored_before_variants = {k: v for k, v in wrong_family.items() if k != "variant"}
    assert rubric.caps_from_findings("ml_system_design", [wrong_family]) == {}
    assert rubric.caps_from_findings("ml_system_design", [stored_before_variants]) == {}


def test_warnings_and_tips_do_not_cap_their_section():
    findings = [finding("MOD-02", "model", "warning"), finding("BAS-02", "baseline", "info")]
    assert rubric.caps_from_findings("ml_system_design", findings) == {}


def test_a_rule_cap_does_not_come_from_a_tip():
    # ENT-02 runs as info in the interview template (§1.2): a tip caps nothing.
    tip = finding("ENT-02", "entities", "info")
    assert rubric.caps_from_findings("interview_45", [tip]) == {}


def test_errors_outside_the_criteria_sections_do_not_cap():
    findings = [finding("DOC-01", "clarify"), finding("DOC-01", "hw2_data")]
    assert rubric.caps_from_findings("interview_45", findings) == {}
    assert rubric.caps_from_findings("course_hw", findings) == {}


def test_an_empty_section_block_named_after_a_criterion_caps_it():
    caps = rubric.caps_from_findings("interview_45", [finding("DOC-01", "metrics")])
    assert limits(caps) == {"metrics": 1} and caps["metrics"].because == ("DOC-01",)


def test_a_template_without_a_rubric_has_no_caps():
    assert rubric.caps_from_findings("blank", [finding("BAS-01", "baseline")]) == {}


def test_caps_combine_by_taking_the_lowest_and_name_every_rule_once():
    findings = [
        finding("DAT-05", "data"),
        finding("MOD-01", "model"),
        finding("MOD-01", "model"),
        finding("BAS-01", "baseline"),
    ]
    caps = rubric.caps_from_findings("ml_system_design", findings)
    assert limits(caps) == {"data": 1, "model": 1, "baseline": 0, "progression": 1}
    assert caps["model"].because == ("DAT-05", "MOD-01")
    # BAS-01 is an error in Baseline (≤ 1) and sets Baseline = 0: the lower wins.
    assert caps["baseline"] == rubric.Cap(limit=0, because=("BAS-01",))


def test_the_order_of_findings_does_not_change_the_caps_limits():
    findings = [finding("MOD-01", "model"), finding("DAT-05", "data")]
    forward = rubric.caps_from_findings("ml_system_design", findings)
    backward = rubric.caps_from_findings("ml_system_design", findings[::-1])
    assert limits(forward) == limits(backward) == {"model": 1, "data": 1}


def test_a_waived_finding_is_absent_and_does_not_cap():
    scores = all_scores("ml_system_design", 3)
    capped = rubric.score("ml_system_design", scores, [finding("ABT-04", "ab_test")])
    waived = rubric.score("ml_system_design", scores, [])
    assert applied(capped)["ab_test"] == 1 and capped.total == round((300 - 8 * 2) / 3, 1)
    assert applied(waived)["ab_test"] == 3 and waived.total == 100


def test_a_lifted_cap_no_longer_lowers_the_score():
    findings = [finding("BAS-01", "baseline")]
    scores = all_scores("ml_system_design", 3)
    result = rubric.score("ml_system_design", scores, findings, lifted={"baseline"})
    rows = {r.criterion.key: r for r in result.criteria}
    assert rows["baseline"].lifted and rows["baseline"].applied == 3
    assert not rows["baseline"].is_capped and rows["baseline"].cap.limit == 0
    # Lifting one criterion leaves the other caps of the same finding in place.
    assert not rows["progression"].lifted and rows["progression"].applied == 1
    assert result.total == round((300 - 3 * 2) / 3, 1)


def test_lifting_a_criterion_without_a_cap_is_not_a_lift():
    result = rubric.score("ml_system_design", {"problem": 2}, [], lifted={"problem"})
    row = {r.criterion.key: r for r in result.criteria}["problem"]
    assert not row.lifted and row.cap is None and row.applied == 2


# Validation ----------------------------------------------------------------------------------

MOD_ERROR = [finding("MOD-01", "model")]


@pytest.mark.parametrize(
    ("scores", "comments", "lifted", "findings", "errors"),
    [
        ({"problem": 4}, {}, set(), [], {"problem": [NOT_0_TO_3]}),
        ({"problem": -1}, {}, set(), [], {"problem": [NOT_0_TO_3]}),
        ({"problem": True}, {}, set(), [], {"problem": [NOT_0_TO_3]}),
        ({"problem": "2"}, {}, set(), [], {"problem": [NOT_0_TO_3]}),
        ({"problem": 2.0}, {}, set(), [], {"problem": [NOT_0_TO_3]}),
        ({"problem": None}, {}, set(), [], {}),
        ({"problem": 2, "model": 3}, {}, set(), [], {}),
        ({"problem": 1}, {}, set(), [], {"problem": [EXPLAIN]}),
        ({"problem": 0}, {}, set(), [], {"problem": [EXPLAIN]}),
        ({"problem": 0}, {"problem": "  \n"}, set(), [], {"problem": [EXPLAIN]}),
        ({"problem": 1}, {"problem": "Generic goal."}, set(), [], {}),
        ({}, {"problem": "A comment without a score yet."}, set(), [], {}),
        (
            {"charisma": 2},
            {},
            set(),
            [],
            {"charisma": ["There is no rubric criterion “charisma”."]},
        ),
        (
            {"communication": 2},
            {},
            set(),
            [],
            {"communication": ["“Communication & time” is not scored in this template."]},
        ),
        (
            {},
            {"communication": "Nice."},
            set(),
            [],
            {"communication": ["“Communication & time” is not scored in this template."]},
        ),
        ({"model": 2}, {"model": "Why."}, {"model"}, [], {"model": [NO_CAP]}),
        ({"model": 2}, {}, {"model"}, MOD_ERROR, {"model": [SAY_WHY]}),
        ({"model": 2}, {"model": "Chosen next week."}, {"model"}, MOD_ERROR, {}),
        ({"model": 3}, {}, set(), MOD_ERROR, {"model": [NO_THREE]}),
        ({"model": 3}, {}, {"model"}, MOD_ERROR, {"model": [SAY_WHY]}),
        ({"model": 3}, {"model": "Loss is fine."}, {"model"}, MOD_ERROR, {}),
        ({"model": 3}, {}, set(), [finding("MOD-02", "model", "warning")], {}),
        # The error is in Data; DAT-05's cap on Model (≤ 2) still lets a reviewer give 3.
        ({"model": 3}, {}, set(), [finding("DAT-05", "data")], {}),
        ({"problem": 2}, {"problem": "x" * 2_000}, set(), [], {}),
        (
            {"problem": 2},
            {"problem": "x" * 2_001},
            set(),
            [],
            {"problem": ["Keep the comment to 2,000 characters."]},
        ),
        (
            {"problem": 2},
            {"problem": ["a", "list"]},
            set(),
            [],
            {"problem": ["Write the comment as text."]},
        ),
        (
            {"model": 0},
            {"model": "x" * 2_001},
            {"model"},
            [],
            {"model": ["Keep the comment to 2,000 characters.", NO_CAP]},
        ),
        (
            {"problem": 1, "model": 3, "charisma": 1},
            {},
            set(),
            MOD_ERROR,
            {
                "charisma": ["There is no rubric criterion “charisma”."],
                "model": [NO_THREE],
                "problem": [EXPLAIN],
            },
        ),
    ],
)
def test_score_validation(scores, comments, lifted, findings, errors):
    assert rubric.scores_errors("ml_system_design", scores, comments, lifted, findings) == errors


def test_validation_without_findings_only_checks_the_scores_and_comments():
    assert rubric.scores_errors("interview_45", {"communication": 3}, {}, set()) == {}
    assert rubric.scores_errors("interview_45", {"tradeoffs": 3}, {}, set()) == {
        "tradeoffs": ["“Trade-offs & justification” is not scored in this template."]
    }


def test_validation_accepts_findings_as_any_iterable():
    findings = iter(MOD_ERROR)
    assert rubric.scores_errors("ml_system_design", {"model": 3}, {}, set(), findings) == {
        "model": [NO_THREE]
    }
