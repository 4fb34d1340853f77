"""The engine: applicability per template (§2.4), the A/B N/A skip, statuses, order, purity,
the read-only snapshot and the configuration."""

import dataclasses
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from apps.checklists import engine
from apps.checklists.config import ChecklistConfigError, get_config, parse_config
from apps.checklists.engine import rule_statuses, run_checklist, validate_config
from apps.checklists.rules import RULES
from apps.checklists.snapshot import CANONICAL_GROUPS, from_canonical, from_document
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.checklists.test_rules import DELETE, appendix_a, changed, findings, fired
from tests.factories import make_document

CONFIG_FILE = settings.BASE_DIR / "fixtures" / "checklists" / "rules.yaml"
NOT_APPLICABLE_PLAN = {
    "status": "not_applicable",
    "na_reason": "platform component; evaluated by incident replay",
}
INTERVIEW_TIPS = {
    "PRB-03", "REQ-04", "MET-04", "ENT-02", "DAT-01", "DAT-03", "DAT-06", "BAS-02", "MOD-03",
    "SRV-02", "MON-02", "ABT-06", "ABT-07",
}  # fmt: skip


def statuses_by_rule(data, template_key=None, **kwargs) -> dict:
    return {s.rule_id: s for s in rule_statuses(from_canonical(data, template_key, **kwargs))}


# The worked example ---------------------------------------------------------------------------


def test_the_worked_example_passes_all_forty_rules_at_their_own_severity():
    statuses = statuses_by_rule(appendix_a())
    assert list(statuses) == list(RULES)
    assert {s.status for s in statuses.values()} == {"passed"}
    assert all(s.severity == RULES[r].severity for r, s in statuses.items())
    assert statuses["MET-03"].message == RULES["MET-03"].message
    assert statuses["MET-03"].source == "ROML #33; BK ch. 7; RU-G «на train/test»"


# A/B test not applicable ----------------------------------------------------------------------


def test_an_ab_plan_marked_not_applicable_with_a_reason_skips_every_abt_rule():
    data = changed(("ab_test", dict(NOT_APPLICABLE_PLAN)))
    assert findings(data) == []
    statuses = statuses_by_rule(data)
    for rule_id, status in statuses.items():
        expected = "not_applicable" if rule_id.startswith("ABT-") else "passed"
        assert status.status == expected, rule_id


def test_a_not_applicable_plan_is_not_checked_even_if_fields_remain_broken():
    data = changed(
        ("ab_test.status", "not_applicable"),
        ("ab_test.na_reason", NOT_APPLICABLE_PLAN["na_reason"]),
        ("ab_test.alpha", 0.9),
        ("ab_test.sample_size", DELETE),
        ("ab_test.duration_days", 2),
    )
    assert findings(data) == []


def test_a_not_applicable_plan_with_a_short_reason_trips_doc_01_on_the_ab_section():
    data = changed(("ab_test.status", "not_applicable"), ("ab_test.na_reason", "  too short  "))
    (finding,) = findings(data)
    assert finding.rule_id == "DOC-01"
    assert finding.severity == "error"
    assert finding.section == "ab_test"
    assert finding.field_paths == ("ab_test.na_reason",)
    assert finding.message == (
        "Section 'A/B test plan' is empty. Fill in at least its required fields "
        "(or mark the A/B plan N/A with a reason)."
    )


# interview_45 ---------------------------------------------------------------------------------


def test_the_worked_example_passes_the_interview_template():
    assert findings(appendix_a(), "interview_45") == []


def test_interview_runs_documentation_depth_rules_as_tips():
    statuses = statuses_by_rule(appendix_a(), "interview_45")
    tips = {rule_id for rule_id, status in statuses.items() if status.severity == "info"}
    assert tips == INTERVIEW_TIPS
    for rule_id, status in statuses.items():
        if rule_id not in INTERVIEW_TIPS:
            assert status.severity == RULES[rule_id].severity, rule_id


def test_interview_reports_a_missing_privacy_statement_as_a_tip():
    data = changed(("requirements.privacy.measures", []))
    (tip,) = findings(data, "interview_45")
    assert (tip.rule_id, tip.severity) == ("REQ-04", "info")
    (error,) = findings(data, "ml_system_design")
    assert (error.rule_id, error.severity) == ("REQ-04", "error")


def test_interview_keeps_core_rules_at_their_severity():
    (finding,) = findings(changed(("model.loss", DELETE)), "interview_45")
    assert (finding.rule_id, finding.severity) == ("MOD-01", "error")


def test_interview_does_not_ask_for_fields_its_blocks_do_not_have():
    data = changed(
        ("problem.why_ml", DELETE),
        ("requirements.functional", DELETE),
        ("serving.mode", "batch"),
    )
    assert fired(data, "ml_system_design") == {"PRB-02", "REQ-01", "SRV-01"}
    assert fired(data, "interview_45") == set()


def test_interview_keeps_the_part_of_a_finding_its_blocks_can_fix():
    goal = appendix_a()["problem"]["business_goal"]
    data = changed(("problem.why_ml", DELETE), ("problem.ml_objective", goal))
    (full,) = findings(data, "ml_system_design")
    assert full.field_paths == ("problem.ml_objective", "problem.why_ml")
    (interview,) = findings(data, "interview_45")
    assert interview.field_paths == ("problem.ml_objective",)


def test_interview_doc_01_names_the_empty_block():
    found = findings(changed(("risks", DELETE)), "interview_45")
    assert [(f.rule_id, f.section) for f in found] == [("DOC-01", "wrap_up"), ("RSK-01", "risks")]
    assert found[0].message.startswith("Section 'Wrap-up' is empty.")


def test_interview_orders_the_groups_by_its_blocks():
    snapshot = from_canonical(appendix_a(), "interview_45")
    assert snapshot.sections_order == (
        "problem", "requirements", "metrics", "entities", "data", "baseline", "model",
        "serving", "ab_test", "monitoring", "risks",
    )  # fmt: skip


# course_hw ------------------------------------------------------------------------------------


@pytest.mark.parametrize("hw_level", range(1, 8))
def test_course_homework_activates_rules_cumulatively(hw_level):
    activation = get_config().templates["course_hw"].hw_activation
    statuses = statuses_by_rule(appendix_a(), "course_hw", hw_level=hw_level)
    for rule_id, status in statuses.items():
        expected = "passed" if activation[rule_id] <= hw_level else "not_applicable"
        assert status.status == expected, rule_id


@pytest.mark.parametrize(
    ("rule_id", "changes", "first_hw"),
    [
        ("PRB-01", [("problem.business_goal", "Money")], 1),
        ("ENT-02", [("entities.features.3.available_at_serving", False)], 2),
        ("BAS-02", [("baseline.baselines.1.compared_on", "ctr")], 3),
        ("ABT-06", [("ab_test.duration_days", 6)], 4),
        ("MON-02", [("monitoring.signals.4.action", DELETE)], 5),
        ("MOD-03", [("model.candidates.0.chosen", False), ("model.candidates.2.chosen", True)], 6),
        ("RSK-01", [("risks.open_questions", [])], 7),
    ],
)
def test_a_homework_rule_fires_from_the_homework_that_activates_it(rule_id, changes, first_hw):
    data = changed(*changes)
    if first_hw > 1:
        assert fired(data, "course_hw", hw_level=first_hw - 1) == set()
    assert fired(data, "course_hw", hw_level=first_hw) == {rule_id}
    assert fired(data, "course_hw", hw_level=7) == {rule_id}


def test_homework_one_needs_only_a_business_metric():
    data = changed(("metrics.items", appendix_a()["metrics"]["items"][:1]))
    assert fired(data, "course_hw", hw_level=1) == set()
    assert "MET-01" in fired(data, "course_hw", hw_level=4)
    no_business = changed(("metrics.items", appendix_a()["metrics"]["items"][1:]))
    assert fired(no_business, "course_hw", hw_level=1) == {"MET-01"}


def test_homework_doc_01_checks_only_the_sections_reached():
    data = changed(("entities", DELETE), ("data", DELETE))
    assert fired(data, "course_hw", hw_level=1) == set()
    found = findings(data, "course_hw", hw_level=2)
    assert ("DOC-01", "hw2_data") in {(f.rule_id, f.section) for f in found}


# from_document and purity ---------------------------------------------------------------------


@pytest.fixture
def templates(db):
    templates_load_all()
    return {t.key: t for t in DesignTemplate.objects.latest_versions()}


def fill_document(document: Document, data_by_section: dict) -> Document:
    for section in document.sections.all():
        section.data = data_by_section.get(section.key, {})
        section.save(update_fields=["data"])
    return Document.objects.select_related("template").get(pk=document.pk)


def test_a_stored_worked_example_yields_zero_findings_without_queries(
    templates, team_a, alice, django_assert_num_queries
):
    example = appendix_a()
    document = make_document(team_a, alice, template=templates["ml_system_design"])
    document = fill_document(document, {group: {group: example[group]} for group in example})
    sections = list(document_sections(document))
    with django_assert_num_queries(0):
        snapshot = from_document(document, sections)
        assert run_checklist(snapshot) == []
        assert {s.status for s in rule_statuses(snapshot)} == {"passed"}
    assert snapshot.template_key == "ml_system_design"
    assert snapshot.sections_order == CANONICAL_GROUPS
    assert [s.key for s in snapshot.sections][-1] == "appendix"


def test_a_stored_section_with_only_a_body_is_not_empty(templates, team_a, alice):
    example = appendix_a()
    document = make_document(team_a, alice, template=templates["ml_system_design"])
    data = {group: {group: example[group]} for group in example if group != "risks"}
    document = fill_document(document, data)
    document.sections.filter(key="risks").update(body_md="Risks are discussed in prose.")
    snapshot = from_document(document, list(document_sections(document)))
    assert {f.rule_id for f in run_checklist(snapshot)} == {"RSK-01"}


def test_a_homework_document_is_checked_up_to_the_last_homework_with_content(
    templates, team_a, alice
):
    example = appendix_a()
    document = make_document(team_a, alice, template=templates["course_hw"])
    hw1 = {
        "problem": example["problem"],
        "requirements": example["requirements"],
        "serving": {"mode": "online"},
        "model": {"task_type": "binary_classification"},
        "metrics": {"items": example["metrics"]["items"][:1]},
    }
    hw2 = {"entities": example["entities"], "data": example["data"]}
    document = fill_document(document, {"hw1_intro": hw1, "hw2_data": hw2})
    snapshot = from_document(document, list(document_sections(document)))
    assert snapshot.hw_level == 2
    assert run_checklist(snapshot) == []
    statuses = {s.rule_id: s.status for s in rule_statuses(snapshot)}
    assert statuses["ENT-01"] == "passed"
    assert statuses["BAS-01"] == "not_applicable"
    assert from_document(document, list(document_sections(document)), hw_level=4).hw_level == 4


def test_rules_run_without_touching_the_database(db, django_assert_num_queries):
    snapshot = from_canonical(changed(("risks", DELETE), ("ab_test.duration_days", 3)))
    with django_assert_num_queries(0):
        assert fired_rules(snapshot) == {"DOC-01", "RSK-01", "ABT-05", "ABT-06"}


def fired_rules(snapshot) -> set[str]:
    return {f.rule_id for f in run_checklist(snapshot)}


# The snapshot is read-only --------------------------------------------------------------------


def test_the_snapshot_cannot_be_changed():
    snapshot = from_canonical(appendix_a())
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.template_key = "interview_45"
    with pytest.raises(TypeError):
        snapshot.canonical["problem"]["business_goal"] = "Money"
    with pytest.raises(TypeError):
        snapshot.canonical["ab_test"]["allocation"]["control"] = 0.5
    with pytest.raises(AttributeError):
        snapshot.canonical["metrics"]["items"].append({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.sections[0].is_empty = True
    with pytest.raises(TypeError):
        snapshot.sections[0].fields["problem"] = ()


def test_the_snapshot_is_a_copy_of_its_source():
    data = appendix_a()
    snapshot = from_canonical(data)
    data["problem"]["business_goal"] = "Money"
    data["metrics"]["items"].clear()
    assert run_checklist(snapshot) == []


def test_findings_cannot_be_changed():
    (finding,) = findings(changed(("model.loss", DELETE)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.severity = "info"
    assert finding.as_dict() == {
        "rule_id": "MOD-01",
        "severity": "error",
        "section": "model",
        "field_paths": ["model.loss"],
        "message": "State the ML task type, what X and y are, and the loss.",
        "source": "RU-G «Задача, Loss, X/y»; AX framing; HU19",
        "variant": "default",
        "values": {},
    }


# Order ----------------------------------------------------------------------------------------


def test_findings_come_in_rule_order_then_field_path_order():
    extra = [
        {"name": f"extra_{i}", "kind": "offline", "definition": "a placeholder metric",
         "direction": "increase", "dataset": "holdout"}
        for i in range(3)
    ]  # fmt: skip
    data = changed(
        ("risks.open_questions", []),
        ("model.loss", DELETE),
        ("metrics.items.7.dataset", "holdout"),
        ("problem.business_goal", "Money"),
    )
    data["metrics"]["items"] += extra
    found = findings(data)
    assert [f.rule_id for f in found] == ["PRB-01", "MET-03", "MET-03", "MET-03", "MET-03",
                                          "MOD-01", "RSK-01"]  # fmt: skip
    assert [f.field_paths[0] for f in found if f.rule_id == "MET-03"] == [
        "metrics.items.7.dataset",
        "metrics.items.9.dataset",
        "metrics.items.10.dataset",
        "metrics.items.11.dataset",
    ]
    assert findings(data) == found


# Configuration --------------------------------------------------------------------------------


def with_thresholds(monkeypatch, **thresholds):
    config = get_config()
    patched = dataclasses.replace(config, thresholds={**config.thresholds, **thresholds})
    monkeypatch.setattr(engine, "checked_config", lambda: patched)


def test_thresholds_come_from_the_configuration(monkeypatch):
    with_thresholds(monkeypatch, min_duration_days=15, business_goal_min_chars=1000)
    assert fired(appendix_a()) == {"ABT-06", "PRB-01"}


def test_the_sample_size_tolerance_comes_from_the_configuration(monkeypatch):
    data = changed(("ab_test.sample_size.control", int(31_235_387 * 0.95)))
    assert fired(data) == {"ABT-04"}
    with_thresholds(monkeypatch, sample_size_tolerance=0.9)
    assert fired(data) == set()


def test_the_configuration_is_read_once():
    assert get_config() is get_config()


def write_config(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["thresholds"].pop("min_duration_days"), "missing threshold"),
        (lambda d: d["thresholds"].update(alpha_max="0.2"), "must be a number"),
        (lambda d: d["sets"].update(CLASSIF=[]), "non-empty list"),
        (lambda d: d["templates"]["interview_45"]["severity"].update({"REQ-04": "fatal"}),
         "not a severity"),
        (lambda d: d["templates"]["course_hw"]["hw_activation"].update({"DOC-02": 0}),
         "homework >= 1"),
        (lambda d: d.update(default_template="nowhere"), "default_template"),
        (lambda d: d.pop("metric_aliases"), "must be a mapping"),
    ],
)  # fmt: skip
def test_a_malformed_configuration_is_refused_with_a_clear_error(tmp_path, change, complaint):
    with pytest.raises(ChecklistConfigError, match=complaint):
        parse_config(write_config(tmp_path, change))


def test_a_configuration_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("thresholds: [unclosed", encoding="utf-8")
    with pytest.raises(ChecklistConfigError, match="cannot be read"):
        parse_config(path)


def test_the_configuration_must_place_every_rule_it_names(tmp_path):
    unknown = write_config(
        tmp_path, lambda d: d["templates"]["interview_45"]["severity"].update({"XYZ-01": "info"})
    )
    with pytest.raises(ChecklistConfigError, match="unknown rules XYZ-01"):
        validate_config(parse_config(unknown))
    missing = write_config(
        tmp_path, lambda d: d["templates"]["course_hw"]["hw_activation"].pop("RSK-01")
    )
    with pytest.raises(ChecklistConfigError, match="misses RSK-01"):
        validate_config(parse_config(missing))
    assert validate_config(get_config()) is get_config()


def canonical_fields() -> dict:
    path = settings.BASE_DIR / "fixtures" / "canonical_fields.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]


@pytest.mark.parametrize(
    ("enum", "path"),
    [
        ("metric_kind", "metrics.items.kind"),
        ("metric_direction", "metrics.items.direction"),
        ("feature_freshness", "entities.features.freshness"),
        ("serving_mode", "serving.mode"),
        ("inference_location", "serving.inference_location"),
        ("ab_metric_type", "ab_test.metric_type"),
        ("mde_type", "ab_test.mde.type"),
        ("sides", "ab_test.sides"),
    ],
)
def test_the_configured_enums_are_those_of_the_canonical_field_model(enum, path):
    schema = canonical_fields()[path.split(".")[0]]
    for part in path.split(".")[1:]:
        schema = schema["properties"][part]
        schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    assert get_config().enum(enum) == frozenset(schema["enum"])


def test_the_canonical_groups_are_those_of_the_field_model():
    assert tuple(canonical_fields()) == CANONICAL_GROUPS
