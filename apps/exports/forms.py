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


class ImportForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    file = forms.FileField(
        label=_("Markdown file"),
        help_text=_(
            "A file exported from MLSD Portal, or plain Markdown whose “## ” headings are "
            "the template's section titles. Up to 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,text/markdown,text/plain"}),
    )
    template = forms.ChoiceField(
        label=_("Template"),
        required=False,
        help_text=_("Needed for plain Markdown; an exported file names its own."),
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)

    def __init__(self, *args, teams=(), templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]
        self.fields["template"].choices = [("", _("As the file says")), *(
            (t.key, t.local_title) for t in templates
        )]  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
