"""A/B sample sizes: every test vector of the content spec §4.7, the worked examples, bad input."""

import math
import random

import pytest

from apps.checklists.ab import InvalidInput, SampleSizeInput, sample_size

P1 = {"metric_type": "proportion", "baseline_rate": 0.05, "mde_value": 0.10,
      "mde_type": "relative", "alpha": 0.05, "power": 0.8}  # fmt: skip
P2 = {**P1, "baseline_rate": 0.10, "mde_value": 0.01, "mde_type": "absolute"}
P3 = {**P1, "baseline_rate": 0.02, "mde_value": 0.05, "alpha": 0.01, "power": 0.9}
P4 = {**P1, "sides": 1}
P5 = {**P1, "allocation_control": 0.7, "allocation_treatment": 0.3}
P6 = {**P1, "baseline_rate": 0.01, "mde_value": 0.01, "allocation_control": 0.02,
      "allocation_treatment": 0.02}  # fmt: skip
M1 = {"metric_type": "mean", "baseline_mean": 2.5, "std_dev": 10, "mde_value": 0.02,
      "mde_type": "relative", "alpha": 0.05, "power": 0.8}  # fmt: skip
M2 = {"metric_type": "mean", "std_dev": 1, "mde_value": 0.1, "mde_type": "absolute",
      "alpha": 0.05, "power": 0.8}  # fmt: skip
M3 = {**M2, "allocation_control": 0.8, "allocation_treatment": 0.2}

VECTORS = [
    ("P1", P1, "unpooled", 31_231, 31_231),
    ("P1", P1, "pooled", 31_234, 31_234),
    ("P1", P1, "arcsine", 31_218, 31_218),
    ("P2", P2, "unpooled", 14_749, 14_749),
    ("P2", P2, "pooled", 14_751, 14_751),
    ("P2", P2, "arcsine", 14_745, 14_745),
    ("P3", P3, "unpooled", 597_542, 597_542),
    ("P3", P3, "pooled", 597_547, 597_547),
    ("P3", P3, "arcsine", 597_462, 597_462),
    ("P4", P4, "unpooled", 24_601, 24_601),
    ("P4", P4, "pooled", 24_603, 24_603),
    ("P4", P4, "arcsine", 24_591, 24_591),
    ("P5", P5, "unpooled", 52_988, 22_710),
    ("P5", P5, "pooled", 51_678, 22_148),
    ("P5", P5, "arcsine", 52_030, 22_299),
    ("P6", P6, "unpooled", 15_617_694, 15_617_694),
    ("P6", P6, "pooled", 15_617_696, 15_617_696),
    ("P6", P6, "arcsine", 15_617_601, 15_617_601),
    ("M1", M1, "unpooled", 627_911, 627_911),
    ("M2", M2, "unpooled", 1_570, 1_570),
    ("M3", M3, "unpooled", 3_925, 982),
]


@pytest.mark.parametrize(("vector", "inputs", "method", "n_c", "n_t"), VECTORS)
def test_every_spec_vector_matches_exactly(vector, inputs, method, n_c, n_t):
    result = sample_size(SampleSizeInput(**inputs, method=method))
    assert (result.n_control, result.n_treatment) == (n_c, n_t), vector
    assert result.n_total == n_c + n_t


def test_p6_with_a_vif_of_two_is_the_worked_ctr_example():
    result = sample_size(SampleSizeInput(**P6, variance_inflation_factor=2.0,
                                         daily_eligible_units=345_600_000))  # fmt: skip
    assert (result.n_control, result.n_treatment, result.computed_days) == (
        31_235_387, 31_235_387, 5,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("inputs", "days"),
    [(P1, 7), (P5, 8)],
)
def test_durations_of_examples_a_and_b(inputs, days):
    result = sample_size(SampleSizeInput(**inputs, daily_eligible_units=10_000))
    assert result.computed_days == days


def test_direction_matters_for_proportions():
    churn = sample_size(SampleSizeInput(**P1, direction="decrease"))
    assert churn.n_control == 28_406
    assert churn.p2 == pytest.approx(0.045)


def test_the_formula_shows_the_substituted_numbers_of_example_a():
    result = sample_size(SampleSizeInput(**P1, daily_eligible_units=10_000))
    assert "(1.959964 + 0.841621)²" in result.formula
    assert "7.84888 · 0.099475 / 0.000025" in result.formula
    assert "31,230.69" in result.formula


def test_warnings_of_the_spec():
    slow = sample_size(SampleSizeInput(**P3, daily_eligible_units=10_000))
    assert any("too small for your traffic" in w for w in slow.warnings)
    fast = sample_size(SampleSizeInput(**P1, daily_eligible_units=1_000_000))
    assert any("at least 7" in w for w in fast.warnings)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": 0.5}, "alpha"),
        ({"power": 1}, "power"),
        ({"baseline_rate": 0}, "baseline_rate"),
        ({"baseline_rate": 1}, "baseline_rate"),
        ({"mde_value": 25}, "mde_value"),
        ({"mde_value": 0}, "mde_value"),
        ({"allocation_control": 0.7, "allocation_treatment": 0.5}, "allocation_treatment"),
        ({"sides": 3}, "sides"),
        ({"variance_inflation_factor": 0.5}, "variance_inflation_factor"),
        ({"alpha": float("nan")}, "alpha"),
        ({"daily_eligible_units": 0}, "daily_eligible_units"),
        ({"method": "bayes"}, "method"),
    ],
)
def test_bad_proportion_input_names_the_field(change, field):
    with pytest.raises(InvalidInput) as excinfo:
        sample_size(SampleSizeInput(**{**P1, **change}))
    assert field in excinfo.value.errors


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"std_dev": 0}, "std_dev"),
        ({"baseline_mean": 0}, "baseline_mean"),
        ({"method": "pooled"}, "method"),
    ],
)
def test_bad_mean_input_names_the_field(change, field):
    with pytest.raises(InvalidInput) as excinfo:
        sample_size(SampleSizeInput(**{**M1, **change}))
    assert field in excinfo.value.errors


def test_an_effect_too_small_to_measure_is_an_error_not_infinity():
    with pytest.raises(InvalidInput) as excinfo:
        sample_size(SampleSizeInput(**{**M2, "mde_value": 1e-12}))
    assert "mde_value" in excinfo.value.errors


def test_random_valid_inputs_always_give_finite_positive_sizes():
    rng = random.Random(7)
    for _ in range(500):
        share_c = rng.uniform(0.01, 0.6)
        inputs = SampleSizeInput(
            metric_type="proportion",
            baseline_rate=rng.uniform(0.01, 0.5),
            mde_value=rng.uniform(0.01, 0.5),
            mde_type="relative",
            alpha=rng.uniform(0.001, 0.2),
            power=rng.uniform(0.5, 0.99),
            sides=rng.choice([1, 2]),
            direction=rng.choice(["increase", "decrease"]),
            allocation_control=share_c,
            allocation_treatment=rng.uniform(0.01, 1 - share_c),
            method=rng.choice(["unpooled", "pooled", "arcsine"]),
            daily_eligible_units=rng.uniform(100, 1e7),
        )
        result = sample_size(inputs)
        assert result.n_control > 0 and result.n_treatment > 0
        assert math.isfinite(result.n_control_raw)
        # n_T = ceil(k · n_raw) and n_C = ceil(n_raw): they differ from k · n_C by at most k + 1.
        assert abs(result.n_treatment - result.k * result.n_control) <= result.k + 1
        assert result.computed_days >= 1
