"""Forms of the export pages: they parse input; the services validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.exports.models import ExportJob


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportJob.Format.choices, initial=ExportJob.Format.PDF)
    paper = forms.ChoiceField(
        label=_("Paper"), choices=ExportJob.Paper.choices, initial=ExportJob.Paper.A4
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


EXPORT_CHOICES = [
    (ExportJob.Format.PDF, ExportJob.Paper.A4, _("PDF (A4)")),
    (ExportJob.Format.PDF, ExportJob.Paper.LETTER, _("PDF (Letter)")),
    (ExportJob.Format.MARKDOWN, ExportJob.Paper.A4, _("Markdown (.md)")),
]
