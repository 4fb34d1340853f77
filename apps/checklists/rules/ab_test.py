"""A/B test rules (ABT-01 … ABT-07); the engine skips them when the plan is validly N/A."""

# Messages and sources quote CONTENT_SPEC §2.2 verbatim: Greek letters, typographic dashes and
# Cyrillic titles of the Russian sources are intended.

from collections.abc import Iterator, Mapping

from django.utils.translation import gettext_noop

from apps.checklists import ab
from apps.checklists.config import Config
from apps.checklists.rules.base import (
    DECREASE,
    INCREASE,
    MEAN,
    PROPORTION,
    RELATIVE,
    Failure,
    RuleContext,
    Severity,
    fail,
    filled,
    fmt,
    group,
    in_set,
    metric_rows,
    number,
    rule,
)
from apps.checklists.snapshot import DocumentSnapshot


def primary_direction(snapshot: DocumentSnapshot) -> str:
    """The sign of the MDE (§4.1): the primary metric's direction; `keep_within` or an unknown
    metric counts as an increase."""
    primary = snapshot.get("ab_test.primary_metric")
    for _, metric in metric_rows(snapshot):
        if metric.get("name") == primary:
            return DECREASE if metric.get("direction") == DECREASE else INCREASE
    return INCREASE


def ab_unit(ab_plan: Mapping) -> str:
    for key in ("analysis_unit", "randomization_unit"):
        if filled(ab_plan.get(key)) and isinstance(ab_plan.get(key), str):
            return ab_plan[key]
    return "unit"


def ab_parameter_errors(snapshot: DocumentSnapshot, config: Config) -> list[str]:
    """Field paths that break ABT-02; also the precondition of ABT-04/05."""
    plan = group(snapshot, "ab_test")
    paths = []
    alpha = number(plan.get("alpha"))
    if alpha is None or not (
        config.threshold("alpha_min_exclusive") < alpha <= config.threshold("alpha_max")
    ):
        paths.append("ab_test.alpha")
    power = number(plan.get("power"))
    if power is None or not (
        config.threshold("power_min") <= power <= config.threshold("power_max")
    ):
        paths.append("ab_test.power")
    mde = plan.get("mde") if isinstance(plan.get("mde"), Mapping) else {}
    mde_value = number(mde.get("value"))
    if mde_value is None or mde_value <= 0:
        paths.append("ab_test.mde.value")
    mde_type = mde.get("type")
    if not in_set(mde_type, config.enum("mde_type")):
        paths.append("ab_test.mde.type")
    if not in_set(plan.get("sides", 2), config.enum("sides")):
        paths.append("ab_test.sides")
    metric_type = plan.get("metric_type")
    if not in_set(metric_type, config.enum("ab_metric_type")):
        paths.append("ab_test.metric_type")
    elif metric_type == PROPORTION:
        p1 = number(plan.get("baseline_rate"))
        if p1 is None or not 0 < p1 < 1:
            paths.append("ab_test.baseline_rate")
        elif mde_value is not None and mde_value > 0 and in_set(mde_type, config.enum("mde_type")):
            sign = -1 if primary_direction(snapshot) == DECREASE else 1
            p2 = p1 * (1 + sign * mde_value) if mde_type == RELATIVE else p1 + sign * mde_value
            if not 0 < p2 < 1:
                paths.append("ab_test.mde.value")
    elif metric_type == MEAN:
        std_dev = number(plan.get("std_dev"))
        if std_dev is None or std_dev <= 0:
            paths.append("ab_test.std_dev")
        if mde_type == RELATIVE and not number(plan.get("baseline_mean")):
            paths.append("ab_test.baseline_mean")
    return list(dict.fromkeys(paths))


def ab_allocation_errors(snapshot: DocumentSnapshot, config: Config) -> list[str]:
    """Field paths that break ABT-03; also the precondition of ABT-04/05."""
    plan = group(snapshot, "ab_test")
    paths = []
    if not filled(plan.get("randomization_unit")):
        paths.append("ab_test.randomization_unit")
    allocation = plan.get("allocation") if isinstance(plan.get("allocation"), Mapping) else {}
    control, treatment = number(allocation.get("control")), number(allocation.get("treatment"))
    if control is None or control <= 0:
        paths.append("ab_test.allocation.control")
    if treatment is None or treatment <= 0:
        paths.append("ab_test.allocation.treatment")
    # Float shares such as 0.7 + 0.3 may overshoot 1 by an ulp; that is not an error.
    if (
        control is not None
        and treatment is not None
        and control + treatment > config.threshold("allocation_max_total") + 1e-9
    ):
        paths.append("ab_test.allocation")
    return paths


def recompute_sample_size(snapshot: DocumentSnapshot) -> "ab.SampleSize":
    """§4 sample size and duration for the declared plan (raises ab.InvalidInput)."""
    plan = group(snapshot, "ab_test")
    allocation = plan["allocation"]
    daily = number(plan.get("daily_eligible_units"))
    vif = number(plan.get("variance_inflation_factor"))
    return ab.sample_size(
        ab.SampleSizeInput(
            metric_type=plan["metric_type"],
            mde_value=plan["mde"]["value"],
            mde_type=plan["mde"]["type"],
            alpha=plan["alpha"],
            power=plan["power"],
            sides=plan.get("sides", 2),
            direction=primary_direction(snapshot),
            allocation_control=allocation["control"],
            allocation_treatment=allocation["treatment"],
            method=plan.get("method") or "unpooled",
            variance_inflation_factor=1.0 if vif is None else vif,
            baseline_rate=number(plan.get("baseline_rate")),
            baseline_mean=number(plan.get("baseline_mean")),
            std_dev=number(plan.get("std_dev")),
            daily_eligible_units=daily if daily is not None and daily > 0 else None,
        )
    )


# ab.SampleSizeInput names -> canonical field paths, so a finding links to the field at fault.
_INPUT_PATHS = {
    "mde_value": "ab_test.mde.value",
    "mde_type": "ab_test.mde.type",
    "allocation_control": "ab_test.allocation.control",
    "allocation_treatment": "ab_test.allocation.treatment",
    "direction": "ab_test.primary_metric",
}


def _invalid_input_paths(error: ab.InvalidInput) -> list[str]:
    return [_INPUT_PATHS.get(name, f"ab_test.{name}") for name in error.errors] or ["ab_test"]


def _invalid_input_text(error: ab.InvalidInput) -> str:
    return " ".join(str(message) for messages in error.errors.values() for message in messages)


# A/B test (skipped by the engine when the plan is validly N/A) ------------------------------


@rule(
    "ABT-01",
    severity=Severity.ERROR,
    section="ab_test",
    reads=["ab_test.primary_metric", "metrics.items"],
    message=gettext_noop(
        "The A/B primary metric must be one of your online (or business) metrics, "
        "e.g. CTR, CVR, retention."
    ),
    source='RU-G «обычно это онлайн метрика: CVR, CTR, Retention»; ZH-F "Based on online metrics…"',
)
def abt_01(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    primary = snapshot.get("ab_test.primary_metric")
    kinds = ctx.config.members("AB_PRIMARY_KINDS")
    if not filled(primary) or not any(
        m.get("name") == primary and in_set(m.get("kind"), kinds) for _, m in metric_rows(snapshot)
    ):
        yield fail("ab_test.primary_metric")


@rule(
    "ABT-02",
    severity=Severity.ERROR,
    section="ab_test",
    reads=[
        "ab_test.alpha",
        "ab_test.power",
        "ab_test.mde",
        "ab_test.sides",
        "ab_test.metric_type",
        "ab_test.baseline_rate",
        "ab_test.baseline_mean",
        "ab_test.std_dev",
    ],
    message=gettext_noop(
        "Check the test parameters: α in (0, 0.2], power in [0.5, 0.99], MDE > 0, a valid "
        "baseline rate (0–1) or a positive standard deviation."
    ),
    source="ZH-F (α, 1−β, MDE); BK Retail example (α 5%, β 10%); KOH",
)
def abt_02(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = ab_parameter_errors(snapshot, ctx.config)
    if paths:
        yield fail(*paths)


@rule(
    "ABT-03",
    severity=Severity.ERROR,
    section="ab_test",
    reads=["ab_test.randomization_unit", "ab_test.allocation"],
    message=gettext_noop(
        "Name the randomisation unit (user, session, request…) and give control/treatment "
        "shares > 0 that sum to at most 100%."
    ),
    source="RU-G (A 70% / B 30%); ZH-F (user vs request level)",
)
def abt_03(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    paths = ab_allocation_errors(snapshot, ctx.config)
    if paths:
        yield fail(*paths)


def _plan_is_computable(snapshot: DocumentSnapshot, config: Config) -> bool:
    """ABT-04/05 recompute only from inputs ABT-02/03 accept (they report the rest)."""
    return not ab_parameter_errors(snapshot, config) and not ab_allocation_errors(snapshot, config)


@rule(
    "ABT-04",
    severity=Severity.ERROR,
    section="ab_test",
    reads=[
        "ab_test.alpha",
        "ab_test.power",
        "ab_test.mde",
        "ab_test.sides",
        "ab_test.metric_type",
        "ab_test.baseline_rate",
        "ab_test.baseline_mean",
        "ab_test.std_dev",
        "ab_test.allocation",
        "ab_test.variance_inflation_factor",
        "ab_test.method",
        "ab_test.sample_size",
    ],
    message=gettext_noop(
        "Sample size is missing or too small: recomputed {n_c:,} control / {n_t:,} treatment "
        "{unit}s for α={alpha}, power={power}, MDE={mde}."
    ),
    variants={
        "invalid_input": gettext_noop(
            "The sample size cannot be recomputed from this plan: {errors} Fix it so the "
            "number of {unit}s needed per arm can be computed."
        ),
    },
    source=(
        'ZH-F "Calculate the required sample size per variation"; '
        "RU-G «чтобы была статистическая значимость»; KOH; SM"
    ),
)
def abt_04(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if not _plan_is_computable(snapshot, ctx.config):
        return
    plan = group(snapshot, "ab_test")
    try:
        result = recompute_sample_size(snapshot)
    except ab.InvalidInput as error:
        yield fail(
            *_invalid_input_paths(error),
            variant="invalid_input",
            errors=_invalid_input_text(error),
            unit=ab_unit(plan),
        )
        return
    tolerance = ctx.config.threshold("sample_size_tolerance")
    paths = [
        f"ab_test.sample_size.{arm}"
        for arm, needed in (("control", result.n_control), ("treatment", result.n_treatment))
        if (stored := number(snapshot.get(f"ab_test.sample_size.{arm}"))) is None
        or stored < tolerance * needed
    ]
    if paths:
        yield fail(
            *paths,
            n_c=result.n_control,
            n_t=result.n_treatment,
            unit=ab_unit(plan),
            alpha=fmt(plan["alpha"]),
            power=fmt(plan["power"]),
            mde=f"{fmt(plan['mde']['value'])} {plan['mde']['type']}",
        )


@rule(
    "ABT-05",
    severity=Severity.ERROR,
    section="ab_test",
    reads=["ab_test.duration_days", "ab_test.daily_eligible_units", "ab_test.allocation"],
    message=gettext_noop(
        "The test needs at least {computed_days} days at {daily:,} eligible {unit}s/day and "
        "this allocation."
    ),
    variants={
        "no_traffic": gettext_noop(
            "Give the number of eligible {unit}s per day: the test duration is computed from "
            "it, the sample size and the allocation."
        ),
    },
    source="ZH-F; BK Retail example (duration from calculation)",
)
def abt_05(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    if not _plan_is_computable(snapshot, ctx.config):
        return
    plan = group(snapshot, "ab_test")
    daily = number(plan.get("daily_eligible_units"))
    if daily is None or daily <= 0:
        yield fail("ab_test.daily_eligible_units", variant="no_traffic", unit=ab_unit(plan))
        return
    try:
        result = recompute_sample_size(snapshot)
    except ab.InvalidInput:
        return  # ABT-04 reports the inputs
    duration = number(plan.get("duration_days"))
    if result.computed_days is not None and (duration is None or duration < result.computed_days):
        yield fail(
            "ab_test.duration_days",
            computed_days=result.computed_days,
            daily=int(daily) if float(daily).is_integer() else daily,
            unit=ab_unit(plan),
        )


@rule(
    "ABT-06",
    severity=Severity.WARNING,
    section="ab_test",
    reads=["ab_test.duration_days"],
    message=gettext_noop(
        "Run at least one full weekly cycle (≥ 7 days, preferably whole weeks) to average "
        "out day-of-week effects and novelty."
    ),
    source="BK Retail example (extended to full replenishment cycles); KOH (common practice)",
)
def abt_06(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    duration = number(snapshot.get("ab_test.duration_days"))
    if duration is not None and duration < ctx.config.threshold("min_duration_days"):
        yield fail("ab_test.duration_days")


@rule(
    "ABT-07",
    severity=Severity.WARNING,
    section="ab_test",
    reads=[
        "ab_test.randomization_unit",
        "ab_test.analysis_unit",
        "ab_test.variance_inflation_factor",
        "ab_test.statistical_test",
    ],
    message=gettext_noop(
        "You randomise by {randomization_unit} but analyse by {analysis_unit}: inflate the "
        "variance (VIF from an A/A test) or use the delta method / bootstrap by "
        "{randomization_unit}."
    ),
    source="DENG; KOH (randomisation unit)",
)
def abt_07(snapshot: DocumentSnapshot, ctx: RuleContext) -> Iterator[Failure]:
    plan = group(snapshot, "ab_test")
    randomised, analysed = plan.get("randomization_unit"), plan.get("analysis_unit")
    if not filled(randomised) or not filled(analysed) or randomised == analysed:
        return
    vif = number(plan.get("variance_inflation_factor"))
    inflated = vif is not None and vif > ctx.config.threshold("vif_no_inflation")
    if not inflated and not in_set(
        plan.get("statistical_test"), ctx.config.members("VARIANCE_AWARE_TESTS")
    ):
        yield fail(
            "ab_test.analysis_unit",
            "ab_test.variance_inflation_factor",
            "ab_test.statistical_test",
            randomization_unit=randomised,
            analysis_unit=analysed,
        )
