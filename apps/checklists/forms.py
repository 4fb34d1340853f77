"""Forms of the checklist pages: they parse input; services and ab.py validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.checklists.ab import SampleSizeInput
from apps.checklists.models import WAIVER_REASON_MAX_CHARS


class WaiverForm(forms.Form):
    rule_id = forms.CharField(max_length=16, widget=forms.HiddenInput)
    section = forms.SlugField(max_length=64, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=WAIVER_REASON_MAX_CHARS)


def _percent(label, initial, help_text="", required=True):
    return forms.FloatField(
        label=label,
        initial=initial,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class AbToolForm(forms.Form):
    """The calculator's inputs; shares are entered in percent and converted to fractions."""

    metric_type = forms.ChoiceField(
        label=_("Metric type"),
        choices=[
            ("proportion", _("Proportion (CTR, conversion, churn)")),
            ("mean", _("Mean (revenue per user, time spent)")),
        ],
        initial="proportion",
    )
    baseline_rate = _percent(_("Baseline rate (%)"), 5, _("The control group's rate."), False)
    baseline_mean = forms.FloatField(
        label=_("Baseline mean"),
        required=False,
        help_text=_("Needed for a relative MDE on a mean."),
    )
    std_dev = forms.FloatField(
        label=_("Standard deviation"),
        required=False,
        help_text=_("Per unit, from history or an A/A test."),
    )
    mde_value = forms.FloatField(
        label=_("Minimum detectable effect"),
        initial=10,
        help_text=_(
            "In % when relative; in the metric's unit "
            "(or percentage points of a rate) when absolute."
        ),
    )
    mde_type = forms.ChoiceField(
        label=_("MDE type"),
        initial="relative",
        choices=[("relative", _("Relative")), ("absolute", _("Absolute"))],
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        initial="increase",
        choices=[("increase", _("Increase")), ("decrease", _("Decrease"))],
    )
    alpha = forms.FloatField(label=_("Significance level α"), initial=0.05)
    power = forms.FloatField(label=_("Power 1 − β"), initial=0.8)
    sides = forms.TypedChoiceField(
        label=_("Sides"), coerce=int, initial=2, choices=[(2, _("Two-sided")), (1, _("One-sided"))]
    )
    allocation_control = _percent(_("Control share (%)"), 50)
    allocation_treatment = _percent(_("Treatment share (%)"), 50)
    method = forms.ChoiceField(
        label=_("Method"),
        initial="unpooled",
        choices=[
            ("unpooled", _("Unpooled (default)")),
            ("pooled", _("Pooled")),
            ("arcsine", _("Arcsine (Cohen's h)")),
        ],
    )
    variance_inflation_factor = forms.FloatField(
        label=_("Variance inflation factor"),
        initial=1,
        required=False,
        help_text=_("≥ 1; from an A/A test when you analyse finer units than you randomise."),
    )
    daily_eligible_units = forms.FloatField(
        label=_("Daily eligible units"), initial=10000, required=False
    )

    def to_input(self) -> SampleSizeInput:
        data = self.cleaned_data
        proportion = data["metric_type"] == "proportion"
        relative = data["mde_type"] == "relative"
        mde = data["mde_value"]
        if relative or proportion:
            mde = mde / 100  # relative MDEs and absolute rate changes are entered in percent
        rate = data.get("baseline_rate")
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
            method=data["method"],
            variance_inflation_factor=data.get("variance_inflation_factor") or 1.0,
            baseline_rate=rate / 100 if rate is not None else None,
            baseline_mean=data.get("baseline_mean"),
            std_dev=data.get("std_dev"),
            daily_eligible_units=data.get("daily_eligible_units"),
        )
