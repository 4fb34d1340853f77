"""A/B sample sizes (content spec §4): every §4.7 test vector, the worked examples A–D with their
durations, the direction note, the formula and warnings of §4.8, and bad input by field."""

import math
import random

import pytest

from apps.checklists import ab
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

# (id, inputs, method, n_C, n_T) — Table 4.7, per arm, ceiled.
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


def size(**inputs) -> ab.SampleSize:
    return sample_size(SampleSizeInput(**inputs))


def errors_of(**inputs) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as excinfo:
        size(**inputs)
    return excinfo.value.errors


@pytest.mark.parametrize(
    ("vector", "inputs", "method", "n_c", "n_t"),
    VECTORS,
    ids=[f"{v[0]}-{v[2]}" for v in VECTORS],
)
def test_every_spec_vector_matches_exactly(vector, inputs, method, n_c, n_t):
    result = size(**inputs, method=method)
    assert (result.n_control, result.n_treatment) == (n_c, n_t), vector
    assert result.n_total == n_c + n_t


def test_the_reference_z_values_come_from_the_inverse_normal_cdf():
    result = size(**P1)
    assert result.z_alpha == pytest.approx(1.959964, abs=1e-6)
    assert result.z_beta == pytest.approx(0.841621, abs=1e-6)
    assert (result.z_alpha + result.z_beta) ** 2 == pytest.approx(7.848880, abs=1e-6)
    assert size(**P4).z_alpha == pytest.approx(1.644854, abs=1e-6)
    assert size(**{**P1, "power": 0.9}).z_beta == pytest.approx(1.281552, abs=1e-6)


def test_example_a_is_31231_per_group_for_seven_days():
    result = size(**P1, daily_eligible_units=10_000)
    assert (result.n_control, result.n_treatment, result.n_total) == (31_231, 31_231, 62_462)
    assert result.n_control_raw == pytest.approx(31_230.69, abs=0.01)
    assert (result.p1, result.k) == (0.05, 1)
    assert result.p2 == pytest.approx(0.055)
    assert result.delta is None
    assert result.computed_days == 7


def test_example_b_a_70_30_split_costs_traffic_and_a_day():
    result = size(**P5, daily_eligible_units=10_000)
    assert (result.n_control, result.n_treatment, result.n_total) == (52_988, 22_710, 75_698)
    assert result.k == pytest.approx(0.428571, abs=1e-6)
    assert result.n_control_raw == pytest.approx(52_987.79, abs=0.01)
    assert result.n_treatment_raw == pytest.approx(22_709.05, abs=0.01)
    assert result.computed_days == 8


def test_example_c_a_mean_metric_needs_627911_per_group():
    result = size(**M1)
    assert (result.n_control, result.n_treatment) == (627_911, 627_911)
    assert result.n_control_raw == pytest.approx(627_910.38, abs=0.01)
    assert result.delta == pytest.approx(0.05)
    assert result.p1 is None and result.p2 is None
    assert result.computed_days is None


def test_example_d_the_ctr_plan_with_a_vif_of_two_takes_five_days():
    result = size(**P6, variance_inflation_factor=2.0, daily_eligible_units=345_600_000)
    assert math.ceil(result.n_control_raw) == 15_617_694
    assert result.n_control_raw == pytest.approx(15_617_693.05, abs=0.01)
    assert (result.n_control, result.n_treatment) == (31_235_387, 31_235_387)
    assert result.computed_days == 5


def test_direction_matters_for_proportions():
    churn = size(**P1, direction="decrease")
    assert churn.p2 == pytest.approx(0.045)
    assert churn.n_control == churn.n_treatment == 28_406


def test_keep_within_is_planned_like_an_increase():
    assert size(**P1, direction="keep_within").n_control == 31_231


def test_a_decrease_with_an_absolute_mde_lowers_the_rate():
    result = size(**P2, direction="decrease")
    assert result.p2 == pytest.approx(0.09)


def test_direction_does_not_change_a_mean():
    assert size(**M1, direction="decrease").n_control == 627_911


def test_variance_inflation_is_applied_before_rounding_up():
    result = size(**P5, variance_inflation_factor=1.5)
    assert result.n_control == math.ceil(result.n_control_raw * 1.5)
    assert result.n_treatment == math.ceil(result.n_treatment_raw * 1.5)
    assert result.n_control_raw == size(**P5).n_control_raw


def test_an_integer_plus_floating_point_noise_is_not_rounded_up():
    assert ab._ceil(31_230.000000001) == 31_230
    assert ab._ceil(31_230.0) == 31_230
    assert ab._ceil(31_230.01) == 31_231
    assert ab._ceil(15_617_693.05) == 15_617_694
    assert ab._ceil(10.000000000000002) == 10


def test_days_are_the_slower_arm_rounded_up():
    # n_T / (D·s_T) = 22,710 / 3,000 = 7.57 and n_C / (D·s_C) = 52,988 / 7,000 = 7.57 -> 8.
    assert size(**P5, daily_eligible_units=10_000).computed_days == 8
    uneven = size(**P1, allocation_control=0.9, allocation_treatment=0.1, daily_eligible_units=1e4)
    expected = max(
        math.ceil(uneven.n_control / 9_000), math.ceil(uneven.n_treatment / 1_000)
    )  # fmt: skip
    assert uneven.computed_days == expected


def test_the_formula_shows_the_substituted_numbers_of_example_a():
    formula = size(**P1, daily_eligible_units=10_000).formula
    assert "p2 = p1 · (1 + m) = 0.05 · 1.1 = 0.055" in formula
    assert "n_C = (z_a + z_b)² · [p1(1−p1) + p2(1−p2)/k] / (p2 − p1)²" in formula
    assert "(1.959964 + 0.841621)²" in formula
    assert "7.84888 · 0.099475 / 0.000025" in formula
    assert "= 31,230.69" in formula
    assert "n_C = 31,231, n_T = 31,231" in formula
    assert "⌈31,231 / (10,000 · 0.5)⌉" in formula
    assert formula.endswith("= 7")


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({**P1, "method": "pooled"}, "p̄ = (p1 + k·p2) / (1 + k) = 0.0525"),
        ({**P1, "method": "arcsine"}, "h = 2·asin(√p2) − 2·asin(√p1)"),
        (M1, "δ = μ · m = 2.5 · 0.02 = 0.05"),
        (M2, "δ = m = 0.1"),
        (P5, "n_T = k · n_C = 0.428571 · 52,987.79 = 22,709.05"),
        ({**P6, "variance_inflation_factor": 2.0}, "× VIF 2: n_C = ⌈31,235,386.09⌉ = 31,235,387"),
        ({**P1, "direction": "decrease"}, "p2 = p1 · (1 − m) = 0.05 · 0.9 = 0.045"),
        (P2, "p2 = p1 + m = 0.1 + 0.01 = 0.11"),
    ],
)
def test_the_formula_names_each_method_and_step(inputs, expected):
    assert expected in size(**inputs).formula


def test_a_plan_slower_than_eight_weeks_is_too_small_for_the_traffic():
    result = size(**P3, daily_eligible_units=10_000)
    assert result.computed_days > 56
    assert any(
        "Effect too small for your traffic" in w and "more sensitive metric" in w
        for w in result.warnings
    )


def test_eight_weeks_exactly_is_not_too_slow():
    # 31,231 per arm at 558 a day per arm (D = 1,116) takes 55.97 -> 56 days: the limit is fine.
    result = size(**P1, daily_eligible_units=1_116)
    assert result.computed_days == 56
    assert not any("too small for your traffic" in w for w in result.warnings)


def test_a_sample_reached_within_a_week_warns_to_run_a_full_week():
    result = size(**P1, daily_eligible_units=1_000_000)
    assert result.computed_days == 1
    assert any("at least 7" in w for w in result.warnings)


def test_the_linear_accrual_assumption_is_stated_only_with_daily_units():
    assert any("Assumes 10,000 new eligible units per day" in w
               for w in size(**P1, daily_eligible_units=10_000).warnings)  # fmt: skip
    assert size(**P1).warnings == []


# Bad input: InvalidInput names the input and says what is wrong ------------------------------

BAD_PROPORTION = [
    ({"alpha": 0}, "alpha", "α"),
    ({"alpha": -0.05}, "alpha", "α"),
    ({"alpha": 0.5}, "alpha", "below 0.5"),
    ({"alpha": 0.9}, "alpha", "below 0.5"),
    ({"alpha": float("nan")}, "alpha", "α"),
    ({"alpha": float("inf")}, "alpha", "α"),
    ({"alpha": "0.05"}, "alpha", "α"),
    ({"alpha": 5e-324}, "alpha", "too small"),
    ({"power": 0}, "power", "below 1"),
    ({"power": 1}, "power", "below 1"),
    ({"power": 1.2}, "power", "below 1"),
    ({"power": -0.8}, "power", "above 0"),
    ({"power": 0.01}, "power", "higher than the significance level"),
    ({"baseline_rate": 0}, "baseline_rate", "between 0% and 100%"),
    ({"baseline_rate": 1}, "baseline_rate", "between 0% and 100%"),
    ({"baseline_rate": 1.5}, "baseline_rate", "between 0% and 100%"),
    ({"baseline_rate": -0.1}, "baseline_rate", "between 0% and 100%"),
    ({"baseline_rate": None}, "baseline_rate", "baseline rate"),
    ({"mde_value": 0}, "mde_value", "greater than 0"),
    ({"mde_value": -0.1}, "mde_value", "greater than 0"),
    ({"mde_value": 25}, "mde_value", "p2 would be 130%"),
    ({"mde_value": 1.5, "direction": "decrease"}, "mde_value", "p2 would be -2.5%"),
    ({"mde_value": 0.96, "mde_type": "absolute"}, "mde_value", "p2 would be 101%"),
    ({"mde_value": 0.05, "mde_type": "absolute", "direction": "decrease"}, "mde_value",
     "p2 would be 0%"),
    ({"mde_value": 1e-15}, "mde_value", "too small to measure"),
    ({"mde_value": 1e-300}, "mde_value", "too small to measure"),
    ({"allocation_control": 0}, "allocation_control", "above 0%"),
    ({"allocation_control": -0.5}, "allocation_control", "above 0%"),
    ({"allocation_treatment": 1.5}, "allocation_treatment", "at most 100%"),
    ({"allocation_control": 0.7, "allocation_treatment": 0.5}, "allocation_treatment",
     "more than 100%"),
    ({"sides": 3}, "sides", "one-sided"),
    ({"sides": 0}, "sides", "one-sided"),
    ({"sides": True}, "sides", "one-sided"),
    ({"sides": "2"}, "sides", "one-sided"),
    ({"method": "bayes"}, "method", "unpooled, pooled or arcsine"),
    ({"metric_type": "ratio"}, "metric_type", "proportion or mean"),
    ({"metric_type": ["proportion"]}, "metric_type", "proportion or mean"),
    ({"mde_type": "percent"}, "mde_type", "relative or absolute"),
    ({"direction": "sideways"}, "direction", "increase, decrease"),
    ({"variance_inflation_factor": 0.5}, "variance_inflation_factor", "at least 1"),
    ({"variance_inflation_factor": 0}, "variance_inflation_factor", "at least 1"),
    ({"daily_eligible_units": 0}, "daily_eligible_units", "above 0"),
    ({"daily_eligible_units": -100}, "daily_eligible_units", "above 0"),
    ({"daily_eligible_units": float("inf")}, "daily_eligible_units", "above 0"),
    ({"daily_eligible_units": 1e-300}, "daily_eligible_units", "would take more than"),
    ({"daily_eligible_units": 0.001}, "daily_eligible_units", "would take more than"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field", "says"), BAD_PROPORTION)
def test_bad_proportion_input_names_the_field_and_why(change, field, says):
    errors = errors_of(**{**P1, **change})
    assert field in errors, errors
    assert any(says in message for message in errors[field]), errors[field]


BAD_MEAN = [
    ({"std_dev": 0}, "std_dev", "greater than 0"),
    ({"std_dev": -3}, "std_dev", "greater than 0"),
    ({"std_dev": None}, "std_dev", "standard deviation"),
    ({"std_dev": float("nan")}, "std_dev", "greater than 0"),
    ({"baseline_mean": 0}, "baseline_mean", "non-zero baseline mean"),
    ({"baseline_mean": None}, "baseline_mean", "non-zero baseline mean"),
    ({"method": "pooled"}, "method", "proportions only"),
    ({"method": "arcsine"}, "method", "proportions only"),
    ({"mde_value": 1e-12, "mde_type": "absolute"}, "mde_value", "too small to measure"),
    ({"std_dev": 1e200}, "mde_value", "too small to measure"),
    ({"std_dev": 1e300, "mde_value": 1e-300, "mde_type": "absolute"}, "mde_value",
     "too small to measure"),
    ({"baseline_mean": 1e308, "mde_value": 10}, "mde_value", "too large"),
    ({"baseline_mean": 1e-200, "mde_value": 1e-200}, "mde_value", "too small to measure"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field", "says"), BAD_MEAN)
def test_bad_mean_input_names_the_field_and_why(change, field, says):
    errors = errors_of(**{**M1, **change})
    assert field in errors, errors
    assert any(says in message for message in errors[field]), errors[field]


def test_a_relative_mde_on_a_negative_mean_is_a_magnitude():
    assert size(**{**M1, "baseline_mean": -2.5}).n_control == 627_911


def test_an_absolute_mde_on_a_mean_needs_no_baseline_mean():
    assert size(**{**M2, "baseline_mean": None}).n_control == 1_570


def test_every_bad_input_is_reported_at_once():
    errors = errors_of(**{**P1, "alpha": 0, "power": 1, "sides": 3, "baseline_rate": 2})
    assert {"alpha", "power", "sides", "baseline_rate"} <= errors.keys()


def test_invalid_input_is_a_value_error_with_a_readable_text():
    with pytest.raises(ValueError, match="alpha"):
        size(**{**P1, "alpha": 0})


def test_a_huge_but_finite_effect_still_needs_one_unit_per_arm():
    result = size(**{**M2, "mde_value": 1e200})
    assert (result.n_control, result.n_treatment) == (1, 1)


# Never NaN or infinity: many random valid inputs ---------------------------------------------


def _assert_sane(result: ab.SampleSize) -> None:
    for value in (result.n_control, result.n_treatment, result.n_total):
        assert isinstance(value, int) and value >= 1
    for value in (result.n_control_raw, result.n_treatment_raw, result.z_alpha, result.z_beta,
                  result.k):  # fmt: skip
        assert math.isfinite(value)
    for value in (result.p1, result.p2, result.delta):
        assert value is None or math.isfinite(value)
    assert result.n_total == result.n_control + result.n_treatment
    # n_T = ⌈k·raw·VIF⌉ and n_C = ⌈raw·VIF⌉ differ from k·n_C by at most k + 1.
    assert abs(result.n_treatment - result.k * result.n_control) <= result.k + 1
    assert "nan" not in result.formula.lower() and "inf" not in result.formula.lower()
    if result.computed_days is not None:
        assert isinstance(result.computed_days, int) and result.computed_days >= 1


def _shares(rng: random.Random) -> tuple[float, float]:
    control = rng.uniform(0.01, 0.9)
    return control, rng.uniform(0.01, 1 - control)


def test_random_valid_proportion_inputs_always_give_finite_positive_sizes():
    rng = random.Random(7)
    checked = 0
    for _ in range(2_000):
        control, treatment = _shares(rng)
        relative = rng.random() < 0.5
        inputs = SampleSizeInput(
            metric_type="proportion",
            baseline_rate=rng.uniform(0.001, 0.999),
            mde_value=rng.uniform(0.001, 0.5) if relative else rng.uniform(0.0005, 0.3),
            mde_type="relative" if relative else "absolute",
            alpha=rng.uniform(0.001, 0.2),
            power=rng.uniform(0.5, 0.99),
            sides=rng.choice([1, 2]),
            direction=rng.choice(["increase", "decrease", "keep_within"]),
            allocation_control=control,
            allocation_treatment=treatment,
            method=rng.choice(["unpooled", "pooled", "arcsine"]),
            variance_inflation_factor=rng.choice([1.0, rng.uniform(1, 5)]),
            daily_eligible_units=rng.choice([None, rng.uniform(1_000, 1e8)]),
        )
        try:
            result = sample_size(inputs)
        except InvalidInput as error:
            # Only a p2 pushed out of (0, 1), an effect too small or too slow for the traffic.
            assert set(error.errors) <= {"mde_value", "daily_eligible_units"}, error.errors
            continue
        _assert_sane(result)
        checked += 1
    assert checked > 1_000


def test_random_valid_mean_inputs_always_give_finite_positive_sizes():
    rng = random.Random(11)
    for _ in range(1_000):
        control, treatment = _shares(rng)
        relative = rng.random() < 0.5
        inputs = SampleSizeInput(
            metric_type="mean",
            baseline_mean=rng.uniform(-100, 100) or 1.0,
            std_dev=10 ** rng.uniform(-3, 3),
            mde_value=10 ** rng.uniform(-3, 0) if relative else 10 ** rng.uniform(-2, 2),
            mde_type="relative" if relative else "absolute",
            alpha=rng.uniform(0.001, 0.2),
            power=rng.uniform(0.5, 0.99),
            sides=rng.choice([1, 2]),
            allocation_control=control,
            allocation_treatment=treatment,
            variance_inflation_factor=rng.uniform(1, 3),
            daily_eligible_units=rng.uniform(1_000, 1e8),
        )
        try:
            result = sample_size(inputs)
        except InvalidInput as error:
            assert set(error.errors) <= {"mde_value", "daily_eligible_units"}, error.errors
            continue
        _assert_sane(result)


def test_random_garbage_never_escapes_as_anything_but_invalid_input():
    rng = random.Random(3)
    pool = [0, -1, 1, 0.5, 1e-320, 1e308, -1e308, float("nan"), float("inf"), None, "x", True,
            [], {}, 2, 0.05, 0.8, 1e-12, 1e12]  # fmt: skip
    for _ in range(3_000):
        inputs = SampleSizeInput(
            metric_type=rng.choice(["proportion", "mean", "other", None]),
            mde_value=rng.choice(pool),
            mde_type=rng.choice(["relative", "absolute", None]),
            alpha=rng.choice(pool),
            power=rng.choice(pool),
            sides=rng.choice([1, 2, 3, 1.0, None, True]),
            direction=rng.choice(["increase", "decrease", "keep_within", 5]),
            allocation_control=rng.choice(pool),
            allocation_treatment=rng.choice(pool),
            method=rng.choice(["unpooled", "pooled", "arcsine", None]),
            variance_inflation_factor=rng.choice(pool),
            baseline_rate=rng.choice(pool),
            baseline_mean=rng.choice(pool),
            std_dev=rng.choice(pool),
            daily_eligible_units=rng.choice(pool),
        )
        try:
            result = sample_size(inputs)
        except InvalidInput as error:
            assert error.errors and all(error.errors.values())
            continue
        _assert_sane(result)


def test_a_decrease_squares_its_negative_effect_in_parentheses():
    result = size(
        metric_type="proportion",
        baseline_rate=0.05,
        mde_value=0.005,
        mde_type="absolute",
        alpha=0.05,
        power=0.8,
        direction="decrease",
    )
    assert "/ (−0.005)²" in result.formula
    assert "/ -0.005²" not in result.formula
