"""Each of the 40 rules on documents built from the worked example (CONTENT_SPEC Appendix A).

Every failing document breaks one thing in the example, which passes everything, and states
exactly which rules must fire (set equality), so a rule that fires too eagerly fails too.
"""

# Expected messages quote the spec verbatim, Greek letters included.

import copy
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from apps.checklists.config import canonicalise_metric_name, get_config
from apps.checklists.engine import run_checklist
from apps.checklists.rules import RULES
from apps.checklists.snapshot import from_canonical

APPENDIX_A = Path(__file__).with_name("appendix_a.yaml")
DELETE = object()


@lru_cache(maxsize=1)
def _appendix() -> dict:
    return yaml.safe_load(APPENDIX_A.read_text(encoding="utf-8"))


def appendix_a() -> dict:
    """A fresh, mutable copy of the worked example."""
    return copy.deepcopy(_appendix())


def set_path(data: dict, path: str, value) -> dict:
    """Set (or with DELETE remove) the value at a dotted path; list indices are numbers."""
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        if value is DELETE:
            del node[int(last)]
        else:
            node[int(last)] = value
    elif value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


def changed(*changes) -> dict:
    """The worked example with (path, value) changes applied in order."""
    data = appendix_a()
    for path, value in changes:
        set_path(data, path, value)
    return data


def findings(data: dict, template_key: str | None = None, **kwargs):
    return run_checklist(from_canonical(data, template_key, **kwargs))


def fired(data: dict, template_key: str | None = None, **kwargs) -> set[str]:
    return {finding.rule_id for finding in findings(data, template_key, **kwargs)}


def only_offline(*metrics: dict) -> list:
    """The example's metrics with the offline ones replaced by `metrics`."""
    kept = [m for m in appendix_a()["metrics"]["items"] if m["kind"] != "offline"]
    return kept + [
        {"kind": "offline", "direction": "increase", "dataset": "test", **m} for m in metrics
    ]


ACCURACY = {"name": "accuracy", "definition": "share of correctly classified impressions"}
ROC_AUC = {"name": "roc_auc", "definition": "area under the ROC curve on unsampled test days"}

# (rule, case id, changes, rules that must fire) ---------------------------------------------
FAILING = [
    ("DOC-01", "risks_section_removed", [("risks", DELETE)], {"DOC-01", "RSK-01"}),
    ("DOC-01", "ab_na_with_short_reason",
     [("ab_test.status", "not_applicable"), ("ab_test.na_reason", "no test")], {"DOC-01"}),
    ("DOC-01", "ab_na_with_short_reason_and_no_plan",
     [("ab_test", {"status": "not_applicable", "na_reason": "no test"})],
     {"DOC-01", "ABT-01", "ABT-02", "ABT-03"}),
    ("DOC-02", "model_ordered_before_baseline",
     [("doc.sections_order", ["problem", "requirements", "metrics", "entities", "data", "model",
                              "baseline", "serving", "monitoring", "ab_test", "risks"])],
     {"DOC-02"}),
    ("DOC-02", "no_baselines", [("baseline.baselines", [])], {"DOC-01", "DOC-02", "BAS-01"}),
    ("PRB-01", "short_business_goal", [("problem.business_goal", "  More ad revenue   ")],
     {"PRB-01"}),
    ("PRB-01", "no_business_goal", [("problem.business_goal", DELETE)], {"PRB-01"}),
    ("PRB-02", "ml_objective_equals_business_goal",
     [("problem.ml_objective", "  " + _appendix()["problem"]["business_goal"].upper() + " ")],
     {"PRB-02"}),
    ("PRB-02", "short_why_ml", [("problem.why_ml", "Rules are hard.")], {"PRB-02"}),
    ("PRB-02", "no_ml_objective", [("problem.ml_objective", "")], {"PRB-02"}),
    ("PRB-03", "no_false_negative_cost", [("problem.cost_of_errors.false_negative", DELETE)],
     {"PRB-03"}),
    ("REQ-01", "no_functional_requirement", [("requirements.functional", [])], {"REQ-01"}),
    ("REQ-02", "peak_below_average", [("requirements.throughput_qps.peak", 3000)], {"REQ-02"}),
    ("REQ-02", "scale_not_quantified", [("requirements.scale", {"notes": "large"})], {"REQ-02"}),
    ("REQ-03", "online_without_p99", [("requirements.latency_budget_ms", {"p50": 60})],
     {"REQ-03"}),
    ("REQ-04", "personal_data_without_measures", [("requirements.privacy.measures", [])],
     {"REQ-04"}),
    ("REQ-04", "personal_data_not_boolean",
     [("requirements.privacy.contains_personal_data", "yes")], {"REQ-04"}),
    ("MET-01", "no_business_metric", [("metrics.items.0", DELETE)], {"MET-01"}),
    ("MET-02", "vague_definition", [("metrics.items.1.definition", "clicks")], {"MET-02"}),
    ("MET-02", "duplicate_name", [("metrics.items.3.name", "ad_hide_rate")], {"MET-02"}),
    ("MET-02", "direction_not_in_enum", [("metrics.items.2.direction", "down")], {"MET-02"}),
    ("MET-03", "dataset_not_a_split", [("metrics.items.7.dataset", "holdout")], {"MET-03"}),
    ("MET-03", "no_dataset", [("metrics.items.6.dataset", DELETE)], {"MET-03"}),
    ("MET-04", "no_numeric_target",
     [("metrics.items.0.target", DELETE), ("metrics.items.1.target", DELETE)], {"MET-04"}),
    ("MET-04", "no_guardrails",
     [*((f"metrics.items.{i}.kind", "online") for i in range(2, 6)),
      ("ab_test.guardrail_metrics", [])], {"MET-04"}),
    ("MET-05", "metrics_do_not_fit_the_task", [("model.task_type", "regression")], {"MET-05"}),
    ("MET-05", "accuracy_only_at_low_positive_rate",
     [("metrics.items", only_offline(ACCURACY)),
      ("baseline.baselines.0.compared_on", "accuracy"),
      ("baseline.baselines.1.compared_on", "accuracy")], {"MET-05"}),
    ("ENT-01", "entity_without_attributes", [("entities.items.2.attributes", [])], {"ENT-01"}),
    ("ENT-01", "ranking_with_one_entity",
     [("model.task_type", "ranking"), ("entities.items", appendix_a()["entities"]["items"][:1]),
      ("entities.features", appendix_a()["entities"]["features"][:5])], {"ENT-01"}),
    ("ENT-02", "feature_not_available_at_serving",
     [("entities.features.3.available_at_serving", False)], {"ENT-02"}),
    ("ENT-02", "feature_of_an_undeclared_entity", [("entities.features.0.entity", "campaign")],
     {"ENT-02"}),
    ("ENT-02", "feature_with_unknown_freshness", [("entities.features.0.freshness", "weekly")],
     {"ENT-02"}),
    ("DAT-01", "source_without_update_frequency",
     [("data.sources.2.update_frequency", DELETE)], {"DAT-01"}),
    ("DAT-01", "no_sources", [("data.sources", [])], {"DAT-01"}),
    ("DAT-02", "no_negative_definition", [("data.labels.negative_definition", DELETE)],
     {"DAT-02"}),
    ("DAT-02", "short_label_definition", [("data.labels.definition", "a click")], {"DAT-02"}),
    ("DAT-03", "natural_labels_without_delay", [("data.labels.delay", DELETE)], {"DAT-03"}),
    ("DAT-04", "no_positive_rate", [("data.class_balance.positive_rate", DELETE)], {"DAT-04"}),
    ("DAT-04", "imbalanced_without_handling_or_aware_metric",
     [("data.class_balance.strategy", []), ("metrics.items", only_offline(ROC_AUC)),
      ("baseline.baselines.0.compared_on", "roc_auc"),
      ("baseline.baselines.1.compared_on", "roc_auc")], {"DAT-04"}),
    ("DAT-05", "temporal_data_split_randomly", [("data.split.strategy", "random")], {"DAT-05"}),
    ("DAT-05", "overlapping_periods", [("data.split.splits.1.start", "2025-02-27")], {"DAT-05"}),
    ("DAT-05", "touching_periods", [("data.split.splits.2.start", "2025-03-03")], {"DAT-05"}),
    ("DAT-05", "period_ends_before_it_starts", [("data.split.splits.0.end", "2025-01-28")],
     {"DAT-05"}),
    ("DAT-05", "is_temporal_not_boolean", [("data.is_temporal", "yes")], {"DAT-05"}),
    ("DAT-05", "forecasting_split_randomly",
     [("model.task_type", "forecasting"), ("data.is_temporal", False),
      ("data.split.strategy", "random")], {"DAT-05", "MET-05"}),
    ("DAT-06", "bias_without_mitigation", [("data.biases.0.mitigation", DELETE)], {"DAT-06"}),
    ("BAS-01", "no_heuristic_baseline",
     [("baseline.baselines.0.stage", "simple_model"),
      ("baseline.baselines.1.stage", "simple_model")], {"BAS-01"}),
    ("BAS-02", "compared_on_an_online_metric", [("baseline.baselines.1.compared_on", "ctr")],
     {"BAS-02"}),
    ("MOD-01", "no_loss", [("model.loss", DELETE)], {"MOD-01"}),
    ("MOD-01", "no_task_type", [("model.task_type", DELETE)], {"MOD-01"}),
    ("MOD-02", "two_chosen", [("model.candidates.1.chosen", True)], {"MOD-02"}),
    ("MOD-02", "one_candidate",
     [("model.candidates", appendix_a()["model"]["candidates"][:1])], {"MOD-02"}),
    ("MOD-02", "candidate_without_cons", [("model.candidates.2.cons", [])], {"MOD-02"}),
    ("MOD-03", "chosen_model_too_slow_for_its_stage",
     [("model.candidates.0.chosen", False), ("model.candidates.2.chosen", True)], {"MOD-03"}),
    ("MOD-03", "breakdown_over_budget", [("serving.latency_breakdown.5.p99_ms", 90)],
     {"MOD-03"}),
    ("SRV-01", "batch_without_schedule", [("serving.mode", "batch")], {"SRV-01"}),
    ("SRV-01", "location_not_in_enum", [("serving.inference_location", "cloud")], {"SRV-01"}),
    ("SRV-02", "no_fallback", [("serving.fallback", DELETE)], {"SRV-02"}),
    ("SRV-02", "no_rollout", [("serving.rollout", DELETE)], {"SRV-02"}),
    ("MON-01", "no_model_quality_signal",
     [("monitoring.signals.10", DELETE), ("monitoring.signals.9", DELETE)], {"MON-01"}),
    ("MON-02", "signal_without_action", [("monitoring.signals.4.action", DELETE)], {"MON-02"}),
    ("MON-03", "no_trigger", [("monitoring.retraining.triggers", [])], {"MON-03"}),
    ("MON-03", "no_cadence", [("monitoring.retraining.cadence", DELETE)], {"MON-03"}),
    ("ABT-01", "primary_metric_is_offline", [("ab_test.primary_metric", "roc_auc")],
     {"ABT-01"}),
    ("ABT-01", "primary_metric_undeclared", [("ab_test.primary_metric", "cvr")], {"ABT-01"}),
    ("ABT-02", "alpha_too_large", [("ab_test.alpha", 0.3)], {"ABT-02"}),
    ("ABT-02", "power_too_high", [("ab_test.power", 0.995)], {"ABT-02"}),
    ("ABT-02", "baseline_rate_not_a_rate", [("ab_test.baseline_rate", 1.5)], {"ABT-02"}),
    ("ABT-02", "p2_below_zero_for_a_decrease",
     [("metrics.items.1.direction", "decrease"),
      ("ab_test.mde", {"value": 0.02, "type": "absolute"})], {"ABT-02"}),
    ("ABT-02", "mean_metric_without_std_dev", [("ab_test.metric_type", "mean")], {"ABT-02"}),
    ("ABT-03", "allocation_over_100_percent",
     [("ab_test.allocation", {"control": 0.6, "treatment": 0.5})], {"ABT-03"}),
    ("ABT-03", "no_randomization_unit", [("ab_test.randomization_unit", DELETE)], {"ABT-03"}),
    ("ABT-04", "sample_size_too_small", [("ab_test.sample_size.control", 1000)], {"ABT-04"}),
    ("ABT-04", "sample_size_missing", [("ab_test.sample_size", DELETE)], {"ABT-04"}),
    ("ABT-04", "sample_size_just_under_tolerance",
     [("ab_test.sample_size.treatment", int(31_235_387 * 0.985))], {"ABT-04"}),
    ("ABT-04", "variance_deflated",
     [("ab_test.variance_inflation_factor", 0.5), ("ab_test.statistical_test", "z_test")],
     {"ABT-04", "ABT-07"}),
    ("ABT-04", "pooled_method_on_a_mean",
     [("ab_test.metric_type", "mean"), ("ab_test.std_dev", 0.05), ("ab_test.method", "pooled"),
      ("ab_test.mde", {"value": 0.0001, "type": "absolute"})], {"ABT-04"}),
    ("ABT-05", "duration_shorter_than_computed",
     [("ab_test.allocation", {"control": 0.001, "treatment": 0.001})], {"ABT-05"}),
    ("ABT-05", "no_daily_eligible_units", [("ab_test.daily_eligible_units", DELETE)],
     {"ABT-05"}),
    ("ABT-05", "duration_missing", [("ab_test.duration_days", DELETE)], {"ABT-05"}),
    ("ABT-06", "less_than_a_week", [("ab_test.duration_days", 6)], {"ABT-06"}),
    ("ABT-06", "too_short_on_both_counts", [("ab_test.duration_days", 4)], {"ABT-05", "ABT-06"}),
    ("ABT-07", "unit_mismatch_without_correction",
     [("ab_test.variance_inflation_factor", 1.0), ("ab_test.statistical_test", "z_test")],
     {"ABT-07"}),
    ("RSK-01", "no_open_question", [("risks.open_questions", [])], {"RSK-01"}),
    ("RSK-01", "risk_without_mitigation", [("risks.items.0.mitigation", DELETE)], {"RSK-01"}),
]  # fmt: skip

# (rule, case id, changes): documents that exercise the rule's condition and pass it.
PASSING = [
    ("DOC-01", "worked_example", []),
    ("DOC-01", "ab_not_applicable_with_a_reason",
     [("ab_test", {"status": "not_applicable",
                   "na_reason": "platform component; evaluated by incident replay"})]),
    ("DOC-02", "order_derived_from_the_template", [("doc", DELETE)]),
    ("PRB-01", "exactly_twenty_characters",
     [("problem.business_goal", "  Grow ad revenue by 5  ")]),
    ("PRB-02", "why_ml_exactly_twenty_characters", [("problem.why_ml", "Rules cannot scale!!")]),
    ("PRB-03", "not_a_classification_task",
     [("model.task_type", "regression"), ("problem.cost_of_errors", DELETE)]),
    ("REQ-01", "one_non_functional_requirement",
     [*((f"requirements.{f}", DELETE) for f in ("latency_budget_ms", "throughput_qps", "scale",
                                                 "privacy", "availability_slo", "cost_budget"))]),
    ("REQ-02", "batch_needs_no_peak_qps",
     [("serving.mode", "batch"), ("serving.batch_schedule", "daily 02:00"),
      ("requirements.throughput_qps", DELETE)]),
    ("REQ-03", "p95_is_enough", [("requirements.latency_budget_ms", {"p95": 120})]),
    ("REQ-03", "batch_needs_no_budget",
     [("serving.mode", "batch"), ("serving.batch_schedule", "daily 02:00"),
      ("requirements.latency_budget_ms", DELETE)]),
    ("REQ-04", "no_personal_data",
     [("requirements.privacy", {"contains_personal_data": False})]),
    ("MET-01", "worked_example", []),
    ("MET-02", "worked_example", []),
    ("MET-03", "another_split", [("metrics.items.7.dataset", "validation")]),
    ("MET-04", "guardrails_only_in_the_ab_plan",
     [*((f"metrics.items.{i}.kind", "online") for i in range(2, 6))]),
    ("MET-05", "aliases_are_canonicalised",
     [("metrics.items", only_offline({**ROC_AUC, "name": "AUROC"},
                                     {"name": "ne", "definition": "normalized entropy, test"})),
      ("baseline.baselines.0.compared_on", "ne"), ("baseline.baselines.1.compared_on", "ne")]),
    ("MET-05", "other_tasks_are_not_evaluated", [("model.task_type", "other")]),
    ("MET-05", "accuracy_with_balanced_classes",
     [("metrics.items", only_offline(ACCURACY)), ("data.class_balance.positive_rate", 0.4),
      ("baseline.baselines.0.compared_on", "accuracy"),
      ("baseline.baselines.1.compared_on", "accuracy")]),
    ("ENT-01", "ranking_with_three_entities", [("model.task_type", "ranking")]),
    ("ENT-02", "context_and_cross_features", []),
    ("DAT-01", "worked_example", []),
    ("DAT-02", "clustering_needs_no_label", [("model.task_type", "clustering"),
                                            ("data.labels", DELETE)]),
    ("DAT-03", "human_labels_need_no_delay",
     [("data.labels.source", "human"), ("data.labels.delay", DELETE)]),
    ("DAT-04", "imbalance_aware_metric_without_strategy", [("data.class_balance.strategy", [])]),
    ("DAT-05", "non_temporal_random_split",
     [("data.is_temporal", False), ("data.split.strategy", "random")]),
    ("DAT-05", "rolling_folds", [("data.split.strategy", "rolling_time")]),
    ("DAT-06", "worked_example", []),
    ("BAS-01", "one_heuristic_among_others", [("baseline.baselines.1.stage", "simple_model")]),
    ("BAS-02", "worked_example", []),
    ("MOD-01", "worked_example", []),
    ("MOD-02", "worked_example", []),
    ("MOD-03", "no_scoring_stage_uses_the_whole_budget",
     [("serving.latency_breakdown.3.stage", "ranking"), ("model.candidates.0.chosen", False),
      ("model.candidates.2.chosen", True)]),
    ("MOD-03", "batch_has_no_latency_plan",
     [("serving.mode", "batch"), ("serving.batch_schedule", "daily 02:00"),
      ("serving.latency_breakdown.5.p99_ms", 900)]),
    ("SRV-01", "batch_with_schedule",
     [("serving.mode", "batch"), ("serving.batch_schedule", "daily 02:00")]),
    ("SRV-02", "worked_example", []),
    ("MON-01", "drift_covers_the_data_layer",
     [("monitoring.signals.6", DELETE), ("monitoring.signals.5", DELETE),
      ("monitoring.signals.4", DELETE)]),
    ("MON-02", "worked_example", []),
    ("MON-03", "worked_example", []),
    ("ABT-01", "business_primary_metric", [("ab_test.primary_metric", "ad_revenue_per_mille")]),
    ("ABT-02", "alpha_at_the_upper_bound", [("ab_test.alpha", 0.2)]),
    ("ABT-02", "mean_metric_with_absolute_mde",
     [("ab_test.metric_type", "mean"), ("ab_test.std_dev", 0.05),
      ("ab_test.mde", {"value": 0.0001, "type": "absolute"})]),
    ("ABT-03", "seventy_thirty", [("ab_test.allocation", {"control": 0.7, "treatment": 0.3}),
                                  ("ab_test.sample_size", {"control": 10**9, "treatment": 10**9}),
                                  ("ab_test.duration_days", 28)]),
    ("ABT-04", "larger_sample_than_needed",
     [("ab_test.sample_size", {"control": 40_000_000, "treatment": 40_000_000})]),
    ("ABT-04", "within_the_tolerance",
     [("ab_test.sample_size.control", int(31_235_387 * 0.995))]),
    ("ABT-04", "pooled_method_within_the_tolerance", [("ab_test.method", "pooled")]),
    ("ABT-05", "exactly_the_computed_days", [("ab_test.duration_days", 7),
                                            ("ab_test.daily_eligible_units", 250_000_000)]),
    ("ABT-06", "exactly_a_week", [("ab_test.duration_days", 7)]),
    ("ABT-07", "same_units", [("ab_test.analysis_unit", "user")]),
    ("ABT-07", "delta_method_without_vif", [("ab_test.variance_inflation_factor", 1.0)]),
    ("RSK-01", "worked_example", []),
]  # fmt: skip


def test_the_worked_example_yields_zero_findings():
    assert findings(appendix_a()) == []


def test_there_are_forty_rules_in_spec_order():
    assert len(RULES) == 40
    families = [rule_id.split("-")[0] for rule_id in RULES]
    assert list(dict.fromkeys(families)) == [
        "DOC", "PRB", "REQ", "MET", "ENT", "DAT", "BAS", "MOD", "SRV", "MON", "ABT", "RSK",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "changes", "expected"),
    [pytest.param(r, c, e, id=f"{r}-{name}") for r, name, c, e in FAILING],
)
def test_a_document_built_to_break_a_rule_trips_exactly_the_expected_rules(
    rule_id, changes, expected
):
    assert rule_id in expected
    assert fired(changed(*changes)) == expected


@pytest.mark.parametrize(
    ("rule_id", "changes"),
    [pytest.param(r, c, id=f"{r}-{name}") for r, name, c in PASSING],
)
def test_a_document_that_meets_a_rule_does_not_trip_it(rule_id, changes):
    assert rule_id not in fired(changed(*changes))


def test_every_rule_has_a_failing_and_a_passing_document():
    assert {rule_id for rule_id, *_ in FAILING} == set(RULES)
    assert {rule_id for rule_id, *_ in PASSING} == set(RULES)


def test_every_rule_carries_its_metadata():
    for rule in RULES.values():
        assert rule.severity in {"error", "warning", "info"}
        assert rule.reads and rule.message and rule.source and rule.section


def message_of(rule_id: str, *changes) -> list:
    return [f for f in findings(changed(*changes)) if f.rule_id == rule_id]


def test_met_03_names_the_metric_and_the_splits():
    (finding,) = message_of("MET-03", ("metrics.items.7.dataset", "holdout"))
    assert finding.message == (
        "Offline metric 'roc_auc' must say which split it is computed on "
        "(one of: train, validation, test)."
    )
    assert finding.field_paths == ("metrics.items.7.dataset",)
    assert finding.section == "metrics"


def test_met_03_reports_one_finding_per_offline_metric():
    found = message_of(
        "MET-03", ("metrics.items.6.dataset", "holdout"), ("metrics.items.8.dataset", DELETE)
    )
    assert [f.field_paths for f in found] == [
        ("metrics.items.6.dataset",),
        ("metrics.items.8.dataset",),
    ]


def test_met_05_explains_the_task_mismatch():
    (finding,) = message_of("MET-05", ("model.task_type", "regression"))
    assert finding.message.startswith(
        "Offline metrics normalized_entropy, roc_auc, offline_calibration_ratio do not fit a "
        "regression task; consider rmse, mse, mae"
    )


def test_met_05_warns_that_accuracy_misleads_at_a_low_positive_rate():
    (finding,) = message_of(
        "MET-05",
        ("metrics.items", only_offline(ACCURACY)),
        ("baseline.baselines.0.compared_on", "accuracy"),
        ("baseline.baselines.1.compared_on", "accuracy"),
    )
    assert finding.message == (
        "Accuracy is misleading at a 1.0% positive rate; add PR-AUC, log loss/NE or recall at "
        "fixed precision."
    )
    assert "data.class_balance.positive_rate" in finding.field_paths


def test_ent_02_names_the_feature_and_points_at_the_field():
    (finding,) = message_of("ENT-02", ("entities.features.3.available_at_serving", False))
    assert finding.message.startswith("Feature 'user_ad_clicks_1h' must reference an entity")
    assert finding.field_paths == ("entities.features.3.available_at_serving",)


def test_bas_02_and_mon_02_name_the_row():
    (baseline,) = message_of("BAS-02", ("baseline.baselines.1.compared_on", "ctr"))
    assert baseline.message == (
        "Say on which offline metric the baseline 'Global constant CTR' is compared with the model."
    )
    (signal,) = message_of("MON-02", ("monitoring.signals.4.action", DELETE))
    assert signal.message == (
        "Give signal 'feature_null_rate' a threshold and an action "
        "(alert, page, retrain, rollback)."
    )


def test_mod_03_interpolates_the_latency_plan():
    (finding,) = message_of(
        "MOD-03", ("model.candidates.0.chosen", False), ("model.candidates.2.chosen", True)
    )
    assert finding.message == (
        "The latency plan exceeds the budget (100 ms > 150 ms) or the chosen model (25 ms) "
        "does not fit its stage (10 ms)."
    )
    assert finding.field_paths == (
        "model.candidates.2.latency_estimate_ms",
        "serving.latency_breakdown.3.p99_ms",
    )


def test_abt_04_interpolates_the_recomputed_sample_size():
    (finding,) = message_of("ABT-04", ("ab_test.sample_size.control", 1000))
    assert finding.message == (
        "Sample size is missing or too small: recomputed 31,235,387 control / 31,235,387 "
        "treatment impressions for α=0.05, power=0.8, MDE=0.01 relative."
    )
    assert finding.field_paths == ("ab_test.sample_size.control",)


def test_abt_04_explains_inputs_the_calculator_cannot_use_and_points_at_them():
    (finding,) = message_of("ABT-04", ("ab_test.variance_inflation_factor", 0.5))
    assert finding.field_paths == ("ab_test.variance_inflation_factor",)
    assert finding.message.startswith(
        "The sample size cannot be recomputed from this plan: The variance inflation factor is "
        "at least 1"
    )
    assert finding.message.endswith(
        "Fix it so the number of impressions needed per arm can be computed."
    )
    (too_small,) = message_of("ABT-04", ("ab_test.mde.value", 1e-9))
    assert too_small.field_paths == ("ab_test.mde.value",)


def test_abt_05_interpolates_the_computed_days():
    (finding,) = message_of(
        "ABT-05", ("ab_test.allocation", {"control": 0.001, "treatment": 0.001})
    )
    assert finding.message == (
        "The test needs at least 91 days at 345,600,000 eligible impressions/day and this "
        "allocation."
    )


def test_abt_05_asks_for_the_daily_traffic_when_it_is_missing():
    (finding,) = message_of("ABT-05", ("ab_test.daily_eligible_units", DELETE))
    assert finding.field_paths == ("ab_test.daily_eligible_units",)
    assert "eligible impressions per day" in finding.message


def test_abt_07_names_both_units():
    (finding,) = message_of(
        "ABT-07", ("ab_test.variance_inflation_factor", 1.0), ("ab_test.statistical_test", "z_test")
    )
    assert finding.message.startswith("You randomise by user but analyse by impression")
    assert finding.message.endswith("bootstrap by user.")


def test_abt_04_and_05_follow_the_primary_metric_direction():
    # churn-like metric: a decrease of the same magnitude needs fewer units (§4.7)
    up = message_of("ABT-04", ("ab_test.sample_size", {"control": 1, "treatment": 1}))
    down = message_of(
        "ABT-04",
        ("metrics.items.1.direction", "decrease"),
        ("ab_test.sample_size", {"control": 1, "treatment": 1}),
    )
    assert up[0].message != down[0].message
    assert "31,235,387" in up[0].message and "31,235,387" not in down[0].message


def test_doc_01_names_the_empty_section():
    (finding,) = message_of("DOC-01", ("risks", DELETE))
    assert finding.message.startswith("Section 'Risks & open questions' is empty.")
    assert finding.section == "risks"
    assert finding.field_paths == ("risks",)


def test_a_section_with_only_a_markdown_body_is_not_empty():
    assert fired(changed(("risks", DELETE)), bodies={"risks": "We list risks in prose."}) == {
        "RSK-01"
    }


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("AUC", "roc_auc"),
        (" ROC-AUC ", "roc_auc"),
        ("average precision", "pr_auc"),
        ("NDCG@10", "ndcg"),
        ("ndcg_at_5", "ndcg"),
        ("HR@k", "hit_rate"),
        ("recall@20", "recall_at_k"),
        ("offline_calibration_ratio", "calibration"),
        ("chrF++", "chrf"),
        ("rmse", "rmse"),
    ],
)
def test_metric_names_are_canonicalised_before_the_lookup(written, canonical):
    assert get_config().canonical_metric(written) == canonical


def test_canonicalisation_replaces_at_k_suffixes():
    assert canonicalise_metric_name("Precision@K") == "precision_at_k"
    assert canonicalise_metric_name("MAP at 10") == "map_at_k"
