"""Forms of the checklist pages: they parse input; services and ab.py validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.checklists.ab import SampleSizeInput
from apps.checklists.models import WAIVER_REASON_MAX_CHARS


class WaiverForm(forms.Form):
    rule_id = forms.CharField(max_length=16, widget=forms.HiddenInput)
    section = forms.SlugField(max_length=64, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=WAIVER_REASON_MAX_CHARS)


def _number(label, initial=None, help_text="", required=True):
    return forms.FloatField(
        label=label,
        initial=initial,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class AbToolForm(forms.Form):
    """The calculator's inputs, in the units people think in: rates, shares and relative MDEs in
    percent, absolute MDEs of a rate in percentage points. `to_input` converts to fractions."""

    metric_type = forms.ChoiceField(
        label=_("Metric type"),
        choices=[
            ("proportion", _("Proportion (conversion, CTR, churn)")),
            ("mean", _("Mean (revenue per user, time spent)")),
        ],
        initial="proportion",
        help_text=_("A rate of units that do something, or an average value per unit."),
    )
    baseline_rate = _number(
        _("Baseline rate (%)"),
        5,
        # xgettext:no-python-format
        _("The control group's current rate, e.g. 5 for 5% conversion."),
        required=False,
    )
    baseline_mean = _number(
        _("Baseline mean"),
        help_text=_("The control group's current average per unit; needed for a relative MDE."),
        required=False,
    )
    std_dev = _number(
        _("Standard deviation"),
        help_text=_("Per unit, from historical data or an A/A test; cap outliers first."),
        required=False,
    )
    mde_value = _number(
        _("Minimum detectable effect (%)"),
        10,
        _(
            # xgettext:no-python-format
            "The smallest change worth detecting. Relative: in % of the baseline. Absolute: in "
            "percentage points for a rate, in the metric's unit for a mean."
        ),
    )
    mde_type = forms.ChoiceField(
        label=_("MDE type"),
        initial="relative",
        choices=[("relative", _("Relative (%)")), ("absolute", _("Absolute"))],
        help_text=_("Relative 10 means a 10% lift, e.g. 5% → 5.5%."),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        initial="increase",
        choices=[("increase", _("Increase")), ("decrease", _("Decrease"))],
        help_text=_("Which way the metric should move; it changes the variance of a rate."),
    )
    alpha = _number(
        _("Significance level α"), 0.05, _("The false-positive rate you accept; 0.05 is usual.")
    )
    power = _number(
        _("Power 1 − β"), 0.8, _("The chance to detect a real effect of MDE size; 0.8 is usual.")
    )
    sides = forms.TypedChoiceField(
        label=_("Sides"),
        coerce=int,
        initial=2,
        choices=[(2, _("Two-sided")), (1, _("One-sided"))],
        help_text=_("One-sided only if a change the other way would lead to the same decision."),
    )
    allocation_control = _number(
        _("Control share (%)"), 50, _("Share of eligible units in the control group.")
    )
    allocation_treatment = _number(
        _("Treatment share (%)"),
        50,
        _("Share in the treatment group; the two may add up to less than 100%."),
    )
    method = forms.ChoiceField(
        label=_("Method"),
        initial="unpooled",
        choices=[
            ("unpooled", _("Unpooled (default)")),
            ("pooled", _("Pooled (Fleiss)")),
            ("arcsine", _("Arcsine (Cohen's h)")),
        ],
        help_text=_("For proportions. The three agree within 0.1% at 50/50, less so otherwise."),
    )
    variance_inflation_factor = _number(
        _("Variance inflation factor"),
        1,
        _(
            "1 when you analyse the unit you randomise; from an A/A test when you analyse finer "
            "units, e.g. impressions of randomised users."
        ),
        required=False,
    )
    daily_eligible_units = _number(
        _("Daily eligible units"),
        10000,
        _("New units entering per day, all groups and the rest; empty to skip the duration."),
        required=False,
    )

    # The MDE's unit follows the metric and MDE type (the page's script swaps these live).
    MDE_LABELS = {
        "relative": _("Minimum detectable effect (%)"),
        "points": _("Minimum detectable effect (percentage points)"),
        "units": _("Minimum detectable effect (metric units)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mde_value"].label = self.MDE_LABELS[self.mde_unit()]

    def mde_unit(self) -> str:
        """Which of MDE_LABELS the entered MDE is in."""
        if self.data.get("mde_type") != "absolute":
            return "relative"
        return "units" if self.data.get("metric_type") == "mean" else "points"

    @classmethod
    def default_data(cls) -> dict:
        """Form data of the defaults (the spec's Example A), for a page opened without a query."""
        return {
            name: field.initial
            for name, field in cls.base_fields.items()
            if field.initial is not None
        }

    def to_input(self) -> SampleSizeInput:
        data = self.cleaned_data
        proportion = data["metric_type"] == "proportion"
        relative = data["mde_type"] == "relative"
        mde = data["mde_value"]
        if relative or proportion:
            mde = mde / 100  # relative MDEs in %, absolute changes of a rate in percentage points
        rate = data.get("baseline_rate")
        vif = data.get("variance_inflation_factor")
        return SampleSizeInput(
            metric_type=data["metric_type"],
            mde_value=mde,
            mde_type=data["mde_type"],
            alpha=data["alpha"],
            power=data["power"],
            sides=data["sides"],
            direction=data["direction"],
            allocation_control=data["allocation_control"] / 100,
            allocation_treatment=data["allocation_treatment"] / 100,
            # The method field is for proportions; like the baseline rate, a mean ignores it.
            method=data["method"] if proportion else "unpooled",
            variance_inflation_factor=1.0 if vif is None else vif,
            baseline_rate=rate / 100 if rate is not None else None,
            baseline_mean=data.get("baseline_mean"),
            std_dev=data.get("std_dev"),
            daily_eligible_units=data.get("daily_eligible_units"),
        )
