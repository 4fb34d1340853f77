"""A/B sample size and duration (content spec §4): pure functions, no models.

Proportions use the two-proportion z-test (unpooled by default; pooled or arcsine when
chosen), means the known-variance formula; both with one or two sides, an allocation ratio
k = s_T / s_C and a variance inflation factor. z-values come from the inverse normal CDF.
Rounding (§4.5): n_C = ceil(n_C,raw · VIF), n_T = ceil(k · n_C,raw · VIF); computed days =
max(ceil(n_C / (D · s_C)), ceil(n_T / (D · s_T))).

Every input the formulas cannot use raises `InvalidInput` naming the input, so a result never
holds NaN or infinity.
"""

import math
from dataclasses import dataclass, field
from statistics import NormalDist, StatisticsError

from django.utils.translation import gettext as _

METRIC_TYPES = ("proportion", "mean")
MDE_TYPES = ("relative", "absolute")
DIRECTIONS = ("increase", "decrease", "keep_within")
METHODS = ("unpooled", "pooled", "arcsine")
SIDES = (1, 2)

# More units per arm than any experiment can enrol (and, near 2**53, more than a float counts
# exactly); beyond this the answer is "this effect cannot be measured", not a number.
MAX_SAMPLE = 10**12
# Longer than this (about 2,700 years) the duration is not a plan but a typo in the traffic.
MAX_DAYS = 10**6
EIGHT_WEEKS_DAYS = 56
MIN_DAYS = 7

_Z = NormalDist()


class InvalidInput(ValueError):
    """Inputs the formulas cannot use; `errors` maps each input to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SampleSizeInput:
    metric_type: str  # "proportion" | "mean"
    mde_value: float  # > 0, a magnitude; the sign comes from `direction`
    mde_type: str  # "relative" | "absolute"
    alpha: float  # (0, 0.5) here; the checklist's ABT-02 asks for (0, 0.2]
    power: float  # (0, 1)
    sides: int = 2
    direction: str = "increase"  # "keep_within" counts as "increase"
    allocation_control: float = 0.5
    allocation_treatment: float = 0.5
    method: str = "unpooled"  # "pooled" and "arcsine" are for proportions only
    variance_inflation_factor: float = 1.0
    baseline_rate: float | None = None  # proportion
    baseline_mean: float | None = None  # mean, needed for a relative MDE
    std_dev: float | None = None  # mean
    daily_eligible_units: float | None = None


@dataclass(frozen=True)
class SampleSize:
    n_control: int
    n_treatment: int
    n_total: int
    n_control_raw: float  # before VIF and ceiling
    n_treatment_raw: float
    computed_days: int | None  # None without daily_eligible_units
    p1: float | None
    p2: float | None
    delta: float | None
    z_alpha: float
    z_beta: float
    k: float
    formula: str
    warnings: list[str] = field(default_factory=list)


def _ceil(value: float) -> int:
    """⌈value⌉, except that an integer plus floating-point noise stays that integer."""
    return math.ceil(value - max(1e-6, abs(value) * 1e-12))


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _one_of(value, choices: tuple) -> bool:
    # `in` on a tuple compares by equality, so a list or dict from JSON cannot raise TypeError.
    return isinstance(value, str) and value in choices


def _num(value: float) -> str:
    """A number for the formula: thousands separators, six significant decimals, no trailing 0s."""
    if value == 0:
        return "0"
    if abs(value) < 1e-12:
        return f"{value:.6g}"
    decimals = min(20, max(6, 5 - math.floor(math.log10(abs(value)))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _squared(value: float) -> str:
    """`value`² for the formula, a negative value in parentheses: (−0.005)², not -0.005²."""
    if value < 0:
        return f"(−{_num(-value)})²"
    return f"{_num(value)}²"


def _count(value: float) -> str:
    """A raw sample size: thousands separators and two decimals, as in the spec's examples."""
    return f"{value:,.2f}"


def _units(value: float) -> str:
    """Daily units: thousands separators, at most two decimals."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")


def _percent(value: float) -> str:
    return f"{value * 100:.6g}%"


def _validate(inp: SampleSizeInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not _one_of(inp.metric_type, METRIC_TYPES):
        fail("metric_type", _("Choose proportion or mean."))
    if not _one_of(inp.mde_type, MDE_TYPES):
        fail("mde_type", _("Choose relative or absolute."))
    if not _one_of(inp.method, METHODS):
        fail("method", _("Choose unpooled, pooled or arcsine."))
    elif inp.metric_type == "mean" and inp.method != "unpooled":
        fail("method", _("Pooled and arcsine apply to proportions only; use unpooled for a mean."))
    if not _one_of(inp.direction, DIRECTIONS):
        fail("direction", _("Choose increase, decrease or keep within."))
    if not _finite(inp.sides) or inp.sides not in SIDES:
        fail("sides", _("A test is one-sided (1) or two-sided (2)."))
    checks = [
        ("alpha", inp.alpha, lambda v: 0 < v < 0.5,
         _("The significance level α must be above 0 and below 0.5, e.g. 0.05.")),
        ("power", inp.power, lambda v: 0 < v < 1,
         _("Power must be above 0 and below 1, e.g. 0.8.")),
        ("mde_value", inp.mde_value, lambda v: v > 0,
         _("The minimum detectable effect must be greater than 0.")),
        ("variance_inflation_factor", inp.variance_inflation_factor, lambda v: v >= 1,
         _("The variance inflation factor is at least 1 (1 when you analyse what you "
           "randomise).")),
        ("allocation_control", inp.allocation_control, lambda v: 0 < v <= 1,
         _("The control share must be above 0% and at most 100%.")),
        ("allocation_treatment", inp.allocation_treatment, lambda v: 0 < v <= 1,
         _("The treatment share must be above 0% and at most 100%.")),
    ]  # fmt: skip
    for name, value, ok, message in checks:
        if not _finite(value) or not ok(value):
            fail(name, message)
    shares_ok = "allocation_control" not in errors and "allocation_treatment" not in errors
    # Float shares such as 0.7 + 0.3 may overshoot 1 by an ulp; that is not an error.
    if shares_ok and inp.allocation_control + inp.allocation_treatment > 1 + 1e-9:
        fail("allocation_treatment", _("Control and treatment shares add up to more than 100%."))
    if inp.daily_eligible_units is not None and (
        not _finite(inp.daily_eligible_units) or inp.daily_eligible_units <= 0
    ):
        fail("daily_eligible_units", _("Daily eligible units must be a number above 0."))
    if inp.metric_type == "proportion":
        rate = inp.baseline_rate
        if rate is None:
            fail("baseline_rate", _("A proportion needs the control group's baseline rate."))
        elif not _finite(rate) or not 0 < rate < 1:
            fail("baseline_rate", _("The baseline rate must be strictly between 0% and 100%."))
    if inp.metric_type == "mean":
        if inp.std_dev is None:
            fail("std_dev", _("A mean needs the per-unit standard deviation."))
        elif not _finite(inp.std_dev) or inp.std_dev <= 0:
            fail("std_dev", _("The standard deviation must be greater than 0."))
        if inp.mde_type == "relative" and (
            inp.baseline_mean is None or not _finite(inp.baseline_mean) or inp.baseline_mean == 0
        ):
            fail(
                "baseline_mean",
                _("A relative MDE needs a non-zero baseline mean (or use an absolute MDE)."),
            )
    return errors


def _too_small() -> InvalidInput:
    return InvalidInput(
        {
            "mde_value": [
                _("This effect is too small to measure: it needs more than %(max)s units per "
                  "arm. Raise the MDE.") % {"max": f"{MAX_SAMPLE:,}"}
            ]
        }
    )  # fmt: skip


def _proportion(inp: SampleSizeInput, z_a: float, z_b: float, k: float):
    """(n_C raw, p1, p2, formula lines) of the two-proportion z-test with the chosen method."""
    p1 = inp.baseline_rate
    sign = -1 if inp.direction == "decrease" else 1
    op = "−" if sign < 0 else "+"
    m = inp.mde_value
    if inp.mde_type == "relative":
        p2 = p1 * (1 + sign * m)
        p2_line = f"p2 = p1 · (1 {op} m) = {_num(p1)} · {_num(1 + sign * m)}"
    else:
        p2 = p1 + sign * m
        p2_line = f"p2 = p1 {op} m = {_num(p1)} {op} {_num(m)}"
    if not (math.isfinite(p2) and 0 < p2 < 1):
        raise InvalidInput(
            {
                "mde_value": [
                    _("With this MDE p2 would be %(p2)s, outside 0–100%%; lower the MDE.")
                    % {"p2": _percent(p2) if math.isfinite(p2) else "∞"}
                ]
            }
        )
    if p2 == p1:
        raise _too_small()
    lines = [f"{p2_line} = {_num(p2)}"]
    var1, var2 = p1 * (1 - p1), p2 * (1 - p2)
    diff = p2 - p1
    if inp.method == "pooled":
        p_bar = (p1 + k * p2) / (1 + k)
        root = z_a * math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / k)) + z_b * math.sqrt(var1 + var2 / k)
        if root <= 0:
            raise _weak_power(inp)
        n_raw = root**2 / diff**2
        lines += [
            "p̄ = (p1 + k·p2) / (1 + k) = " + _num(p_bar),
            "n_C = [z_a·√(p̄(1−p̄)(1 + 1/k)) + z_b·√(p1(1−p1) + p2(1−p2)/k)]² / (p2 − p1)²",
            f"    = [{_num(z_a)}·√({_num(p_bar)}·{_num(1 - p_bar)}·{_num(1 + 1 / k)}) + "
            f"{_num(z_b)}·√({_num(var1)} + {_num(var2)}/{_num(k)})]² / {_squared(diff)}",
            f"    = {_num(root**2)} / {_num(diff**2)}",
        ]
    elif inp.method == "arcsine":
        h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
        if h == 0:
            raise _too_small()
        n_raw = (z_a + z_b) ** 2 * (1 + 1 / k) / h**2
        lines += [
            "h = 2·asin(√p2) − 2·asin(√p1) = " + _num(h),
            "n_C = (z_a + z_b)² · (1 + 1/k) / h²",
            f"    = ({_num(z_a)} + {_num(z_b)})² · {_num(1 + 1 / k)} / {_squared(h)}",
            f"    = {_num((z_a + z_b) ** 2)} · {_num(1 + 1 / k)} / {_num(h**2)}",
        ]
    else:
        n_raw = (z_a + z_b) ** 2 * (var1 + var2 / k) / diff**2
        lines += [
            "n_C = (z_a + z_b)² · [p1(1−p1) + p2(1−p2)/k] / (p2 − p1)²",
            f"    = ({_num(z_a)} + {_num(z_b)})² · [{_num(var1)} + {_num(var2)}/{_num(k)}]"
            f" / {_squared(diff)}",
            f"    = {_num((z_a + z_b) ** 2)} · {_num(var1 + var2 / k)} / {_num(diff**2)}",
        ]
    return n_raw, p1, p2, lines


def _mean(inp: SampleSizeInput, z_a: float, z_b: float, k: float):
    """(n_C raw, δ, formula lines) of the known-variance test of a mean."""
    sigma = inp.std_dev
    relative = inp.mde_type == "relative"
    delta = abs(inp.baseline_mean * inp.mde_value) if relative else inp.mde_value
    if not math.isfinite(delta):
        raise InvalidInput(
            {"mde_value": [_("The effect (baseline mean × MDE) is too large to compute.")]}
        )
    if relative:
        delta_line = (
            f"δ = μ · m = {_num(inp.baseline_mean)} · {_num(inp.mde_value)} = {_num(delta)}"
        )
    else:
        delta_line = f"δ = m = {_num(delta)}"
    # σ/δ first: squaring σ or δ alone can overflow or underflow where their ratio is fine.
    ratio = sigma / delta
    if not math.isfinite(ratio):
        raise _too_small()
    n_raw = (1 + 1 / k) * ratio**2 * (z_a + z_b) ** 2
    lines = [
        delta_line,
        "n_C = (1 + 1/k) · σ² · (z_a + z_b)² / δ²",
        f"    = {_num(1 + 1 / k)} · {_num(sigma)}² · ({_num(z_a)} + {_num(z_b)})²"
        f" / {_squared(delta)}",
        f"    = {_num(1 + 1 / k)} · {_num(ratio**2)} · {_num((z_a + z_b) ** 2)}",
    ]
    return n_raw, delta, lines


def _weak_power(inp: SampleSizeInput) -> InvalidInput:
    tail = inp.alpha / inp.sides
    return InvalidInput(
        {
            "power": [
                _("Power must be higher than the significance level per side (%(tail)s), "
                  "e.g. 0.8.") % {"tail": _num(tail)}
            ]
        }
    )  # fmt: skip


def sample_size(inp: SampleSizeInput) -> SampleSize:
    """n per arm, total and days for `inp`; raises InvalidInput naming the inputs at fault."""
    errors = _validate(inp)
    if errors:
        raise InvalidInput(errors)
    sides = int(inp.sides)
    # -Φ⁻¹(α/sides) rather than Φ⁻¹(1 − α/sides): 1 − a tiny α rounds to 1, outside Φ⁻¹'s domain.
    try:
        z_a, z_b = -_Z.inv_cdf(inp.alpha / sides), _Z.inv_cdf(inp.power)
    except StatisticsError:  # α so small that α/sides rounds to 0
        raise InvalidInput({"alpha": [_("The significance level α is too small.")]}) from None
    if z_a + z_b <= 0:
        raise _weak_power(inp)
    k = inp.allocation_treatment / inp.allocation_control
    p1 = p2 = delta = None
    try:
        if inp.metric_type == "proportion":
            n_raw, p1, p2, lines = _proportion(inp, z_a, z_b, k)
        else:
            n_raw, delta, lines = _mean(inp, z_a, z_b, k)
    except (OverflowError, ZeroDivisionError):
        raise _too_small() from None
    vif = inp.variance_inflation_factor
    if not math.isfinite(n_raw) or n_raw * vif * max(k, 1) > MAX_SAMPLE:
        raise _too_small()
    # At least one unit per arm, even when the effect dwarfs the noise.
    n_control = max(1, _ceil(n_raw * vif))
    n_treatment = max(1, _ceil(k * n_raw * vif))
    lines.append(f"    = {_count(n_raw)}")
    if k != 1:
        lines.append(f"n_T = k · n_C = {_num(k)} · {_count(n_raw)} = {_count(k * n_raw)}")
    if vif != 1:
        lines.append(
            f"× VIF {_num(vif)}: n_C = ⌈{_count(n_raw * vif)}⌉ = {n_control:,}, "
            f"n_T = ⌈{_count(k * n_raw * vif)}⌉ = {n_treatment:,}"
        )
    else:
        lines.append(f"n_C = {n_control:,}, n_T = {n_treatment:,} (rounded up)")

    warnings: list[str] = []
    days = None
    daily = inp.daily_eligible_units
    if daily is not None:
        per_day_c = daily * inp.allocation_control
        per_day_t = daily * inp.allocation_treatment
        days_raw = (
            max(n_control / per_day_c, n_treatment / per_day_t)
            if per_day_c and per_day_t
            else math.inf
        )
        if not math.isfinite(days_raw) or days_raw > MAX_DAYS:
            raise InvalidInput(
                {
                    "daily_eligible_units": [
                        _("At this traffic the test would take more than %(days)s days; check the "
                          "daily eligible units.") % {"days": f"{MAX_DAYS:,}"}
                    ]
                }
            )  # fmt: skip
        days = max(1, _ceil(n_control / per_day_c), _ceil(n_treatment / per_day_t))
        lines.append(
            f"days = max(⌈{n_control:,} / ({_units(daily)} · {_num(inp.allocation_control)})⌉,\n"
            f"           ⌈{n_treatment:,} / ({_units(daily)} · {_num(inp.allocation_treatment)})⌉)"
            f" = {days}"
        )
        if days > EIGHT_WEEKS_DAYS:
            warnings.append(
                _("Effect too small for your traffic: the test needs %(days)s days, more than 8 "
                  "weeks. Raise the MDE or the allocation, or use a more sensitive metric.")
                % {"days": f"{days:,}"}
            )  # fmt: skip
        if days < MIN_DAYS:
            warnings.append(
                _("The sample is reached in %(days)s days; plan at least %(min)s (a full week) "
                  "to average out day-of-week effects.") % {"days": days, "min": MIN_DAYS}
            )  # fmt: skip
        warnings.append(
            _("Assumes %(daily)s new eligible units per day; returning users make real accrual "
              "slower.") % {"daily": _units(daily)}
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
        formula="\n".join(lines),
        warnings=warnings,
    )
