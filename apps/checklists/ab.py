"""A/B sample size and duration (content spec §4): pure functions, no Django.

Proportions use the two-proportion z-test (unpooled by default; pooled or arcsine when
chosen), means the known-variance formula; both with one or two sides, an allocation ratio
k = s_T / s_C and a variance inflation factor. z-values come from the inverse normal CDF.
Rounding (§4.5): n_C = ceil(n_C,raw · VIF), n_T = ceil(k · n_C,raw · VIF); computed days =
max(ceil(n_C / (D · s_C)), ceil(n_T / (D · s_T))).
"""

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from django.utils.translation import gettext as _

_Z = NormalDist()
# ceil() of a value that is an integer up to floating-point noise must not add one.
_EPSILON = 1e-9
# Beyond this the traffic question is moot, and floats lose integer precision.
MAX_SAMPLE = 10**15
EIGHT_WEEKS_DAYS = 56
MIN_DAYS = 7


class InvalidInput(ValueError):
    """Inputs the formulas cannot use; `errors` maps each input to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SampleSizeInput:
    metric_type: str
    mde_value: float
    mde_type: str
    alpha: float
    power: float
    sides: int = 2
    direction: str = "increase"
    allocation_control: float = 0.5
    allocation_treatment: float = 0.5
    method: str = "unpooled"
    variance_inflation_factor: float = 1.0
    baseline_rate: float | None = None
    baseline_mean: float | None = None
    std_dev: float | None = None
    daily_eligible_units: float | None = None


@dataclass(frozen=True)
class SampleSize:
    n_control: int
    n_treatment: int
    n_total: int
    n_control_raw: float
    n_treatment_raw: float
    computed_days: int | None
    p1: float | None
    p2: float | None
    delta: float | None
    z_alpha: float
    z_beta: float
    k: float
    formula: str
    warnings: list[str] = field(default_factory=list)


def _ceil(value: float) -> int:
    return math.ceil(value - _EPSILON * max(1.0, abs(value)))


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validate(inp: SampleSizeInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if inp.metric_type not in {"proportion", "mean"}:
        fail("metric_type", _("Choose proportion or mean."))
    if inp.mde_type not in {"relative", "absolute"}:
        fail("mde_type", _("Choose relative or absolute."))
    if inp.method not in {"unpooled", "pooled", "arcsine"}:
        fail("method", _("Choose unpooled, pooled or arcsine."))
    elif inp.metric_type == "mean" and inp.method != "unpooled":
        fail("method", _("Pooled and arcsine apply to proportions only; use unpooled."))
    if inp.direction not in {"increase", "decrease", "keep_within"}:
        fail("direction", _("Choose increase, decrease or keep within."))
    if inp.sides not in (1, 2):
        fail("sides", _("A test is one- or two-sided."))
    checks = [
        ("alpha", inp.alpha, lambda v: 0 < v < 0.5, _("α must be between 0 and 0.5, e.g. 0.05.")),
        ("power", inp.power, lambda v: 0 < v < 1, _("Power must be between 0 and 1, e.g. 0.8.")),
        ("mde_value", inp.mde_value, lambda v: v > 0, _("The MDE must be greater than 0.")),
        ("variance_inflation_factor", inp.variance_inflation_factor, lambda v: v >= 1,
         _("The variance inflation factor is at least 1.")),
        ("allocation_control", inp.allocation_control, lambda v: 0 < v <= 1,
         _("The control share must be above 0% and at most 100%.")),
        ("allocation_treatment", inp.allocation_treatment, lambda v: 0 < v <= 1,
         _("The treatment share must be above 0% and at most 100%.")),
    ]  # fmt: skip
    for name, value, ok, message in checks:
        if not _finite(value) or not ok(value):
            fail(name, message)
    shares_ok = "allocation_control" not in errors and "allocation_treatment" not in errors
    if shares_ok and inp.allocation_control + inp.allocation_treatment > 1 + _EPSILON:
        fail("allocation_treatment", _("Control and treatment shares add up to more than 100%."))
    if inp.daily_eligible_units is not None and (
        not _finite(inp.daily_eligible_units) or inp.daily_eligible_units <= 0
    ):
        fail("daily_eligible_units", _("Daily eligible units must be a positive number."))
    if inp.metric_type == "proportion":
        rate = inp.baseline_rate
        if rate is None or not _finite(rate) or not 0 < rate < 1:
            fail("baseline_rate", _("The baseline rate must be strictly between 0% and 100%."))
    if inp.metric_type == "mean":
        if inp.std_dev is None or not _finite(inp.std_dev) or inp.std_dev <= 0:
            fail("std_dev", _("The standard deviation must be greater than 0."))
        if inp.mde_type == "relative" and (
            inp.baseline_mean is None or not _finite(inp.baseline_mean) or inp.baseline_mean == 0
        ):
            fail("baseline_mean", _("A relative MDE needs a non-zero baseline mean."))
    return errors


def _fmt(value: float, digits: int = 6) -> str:
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def sample_size(inp: SampleSizeInput) -> SampleSize:
    """n per arm, total and days for `inp`; raises InvalidInput naming the inputs at fault."""
    errors = _validate(inp)
    if errors:
        raise InvalidInput(errors)
    alpha = inp.alpha / 2 if inp.sides == 2 else inp.alpha
    z_a, z_b = _Z.inv_cdf(1 - alpha), _Z.inv_cdf(inp.power)
    k = inp.allocation_treatment / inp.allocation_control
    sign = -1 if inp.direction == "decrease" else 1
    zz = (z_a + z_b) ** 2
    p1 = p2 = delta = None
    if inp.metric_type == "proportion":
        p1 = inp.baseline_rate
        p2 = (
            p1 * (1 + sign * inp.mde_value)
            if inp.mde_type == "relative"
            else p1 + sign * inp.mde_value
        )
        if not 0 < p2 < 1:
            raise InvalidInput(
                {"mde_value": [_("This MDE moves the rate to %(p2)s, outside 0–100%%.")
                               % {"p2": f"{p2:.4%}"}]}
            )  # fmt: skip
        var1, var2 = p1 * (1 - p1), p2 * (1 - p2)
        if inp.method == "pooled":
            p_bar = (p1 + k * p2) / (1 + k)
            root = z_a * math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / k)) + z_b * math.sqrt(
                var1 + var2 / k
            )
            n_raw = root**2 / (p2 - p1) ** 2
            formula = (
                f"n_C = [z_a·√(p̄(1−p̄)(1+1/k)) + z_b·√(p1(1−p1) + p2(1−p2)/k)]² / (p2 − p1)²\n"
                f"    = [{_fmt(z_a)}·√({_fmt(p_bar)}·{_fmt(1 - p_bar)}·{_fmt(1 + 1 / k)}) + "
                f"{_fmt(z_b)}·√({_fmt(var1)} + {_fmt(var2)}/{_fmt(k)})]² / {_fmt(p2 - p1, 8)}²"
            )
        elif inp.method == "arcsine":
            h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
            n_raw = zz * (1 + 1 / k) / h**2
            formula = (
                f"n_C = (z_a + z_b)² · (1 + 1/k) / h²,  h = 2·asin(√p2) − 2·asin(√p1)\n"
                f"    = {_fmt(zz)} · {_fmt(1 + 1 / k)} / {_fmt(h, 8)}²"
            )
        else:
            n_raw = zz * (var1 + var2 / k) / (p2 - p1) ** 2
            formula = (
                f"n_C = (z_a + z_b)² · [p1(1−p1) + p2(1−p2)/k] / (p2 − p1)²\n"
                f"    = ({_fmt(z_a)} + {_fmt(z_b)})² · [{_fmt(var1)} + {_fmt(var2)}/{_fmt(k)}]"
                f" / {_fmt(p2 - p1, 8)}²\n"
                f"    = {_fmt(zz)} · {_fmt(var1 + var2 / k)} / {_fmt((p2 - p1) ** 2, 12)}"
            )
    else:
        delta = inp.baseline_mean * inp.mde_value if inp.mde_type == "relative" else inp.mde_value
        delta = abs(delta)
        n_raw = (1 + 1 / k) * inp.std_dev**2 * zz / delta**2
        formula = (
            f"n_C = (1 + 1/k) · σ² · (z_a + z_b)² / δ²\n"
            f"    = {_fmt(1 + 1 / k)} · {_fmt(inp.std_dev)}² · {_fmt(zz)} / {_fmt(delta)}²"
        )
    vif = inp.variance_inflation_factor
    if not math.isfinite(n_raw) or n_raw * vif * max(k, 1) > MAX_SAMPLE:
        raise InvalidInput(
            {"mde_value": [_("This effect is too small to measure: raise the MDE.")]}
        )
    n_control = _ceil(n_raw * vif)
    n_treatment = _ceil(k * n_raw * vif)
    formula += f"\n    = {_fmt(n_raw, 2)} per control unit"
    if vif != 1:
        formula += f" × VIF {_fmt(vif)}"
    formula += f" → n_C = {n_control:,}, n_T = {n_treatment:,} (k = {_fmt(k)})"

    warnings: list[str] = []
    days = None
    daily = inp.daily_eligible_units
    if daily is not None:
        days = max(
            _ceil(n_control / (daily * inp.allocation_control)),
            _ceil(n_treatment / (daily * inp.allocation_treatment)),
        )
        formula += (
            f"\ndays = max(⌈{n_control:,} / ({_fmt(daily)}·{_fmt(inp.allocation_control)})⌉, "
        )
        formula += f"⌈{n_treatment:,} / ({_fmt(daily)}·{_fmt(inp.allocation_treatment)})⌉) = {days}"
        if days > EIGHT_WEEKS_DAYS:
            warnings.append(
                _("Effect too small for your traffic: the test needs %(days)s days. Raise the MDE "
                  "or the allocation, or use a more sensitive metric.") % {"days": days}
            )  # fmt: skip
        if days < MIN_DAYS:
            warnings.append(
                _("The sample is reached in %(days)s days; plan at least %(min)s (a full week) "
                  "to average out day-of-week effects.") % {"days": days, "min": MIN_DAYS}
            )  # fmt: skip
        warnings.append(
            _("Assumes %(daily)s new eligible units per day; returning users make real accrual "
              "slower.") % {"daily": f"{daily:,.0f}"}
        )  # fmt: skip
    return SampleSize(
        n_control=n_control,
        n_treatment=n_treatment,
        n_total=n_control + n_treatment,
        n_control_raw=n_raw,
        n_treatment_raw=k * n_raw,
        computed_days=days,
        p1=p1,
        p2=p2,
        delta=delta,
        z_alpha=z_a,
        z_beta=z_b,
        k=k,
        formula=formula,
        warnings=warnings,
    )
