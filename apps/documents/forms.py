"""Forms of the document pages: they parse input; services validate the domain and write."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import ServiceErrorsMixin
from apps.documents.models import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, Document


class DashboardFilterForm(forms.Form):
    """GET filters of the dashboard; an invalid value simply does not filter."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Search titles and section text")}),
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Document.Status.choices],
    )
    template = forms.ChoiceField(label=_("Template"), required=False)
    archived = forms.BooleanField(label=_("Show archived documents"), required=False)

    def __init__(self, *args, teams, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All teams"))] + [
            (str(team.id), team.name) for team in teams
        ]
        self.fields["template"].choices = [("", _("Any template"))] + [
            (template.key, template.title) for template in templates
        ]

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of selectors.document_list_for_user."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or None,
            "team_id": data.get("team") or None,
            "status": data.get("status") or None,
            "template_key": data.get("template") or None,
            "archived": bool(data.get("archived")),
        }


class DocumentCreateForm(ServiceErrorsMixin, forms.Form):
    # A UUID rather than a choice: the view authorizes the team with get_team_for_user,
    # so a team the user may not write to is a 404/403, never silently accepted.
    team = forms.UUIDField(
        label=_("Team"),
        widget=forms.Select,
        help_text=_("Teams where you are an editor or an owner."),
    )
    template = forms.ChoiceField(label=_("Template"))
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_CHARS,
        help_text=_("What are you designing? For example “Feed ads click-through prediction”."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: two or three sentences for readers of the dashboard."),
    )

    def __init__(self, *args, teams, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].widget.choices = [(str(team.id), team.name) for team in teams]
        self.fields["template"].choices = [(template.key, template.title) for template in templates]


class DocumentEditForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_CHARS)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: two or three sentences shown under the title."),
    )


class SectionForm(ServiceErrorsMixin, forms.Form):
    # No max_length here: section_save owns the size limit and says it in its own words.
    body_md = forms.CharField(
        label=_("Markdown"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text=_(
            "Markdown: # headings, **bold**, lists, | tables |, ``` code blocks ```, links. "
            "Raw HTML is shown as text."
        ),
    )
    data = forms.CharField(
        label=_("Structured fields (JSON)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "mono"}),
        help_text=_("The section's fields as a JSON object keyed by group."),
    )
    base_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_data(self) -> dict:
        raw = self.cleaned_data["data"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The fields must be a JSON object."))
        return value
