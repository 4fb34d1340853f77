"""Forms of the document pages: they parse input; services validate the domain and write."""

import json
import math
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import ServiceErrorsMixin
from apps.documents import fields
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
    language = forms.ChoiceField(
        label=_("Document language"),
        choices=settings.LANGUAGES,
        required=False,  # left out: the author's interface language
        help_text=_(
            "Section titles, field labels, checklist messages and the PDF use it; each reader "
            "keeps their own interface language."
        ),
    )

    def __init__(self, *args, teams, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].widget.choices = [(str(team.id), team.name) for team in teams]
        self.fields["template"].choices = [
            (template.key, template.local_title) for template in templates
        ]


class DocumentEditForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_CHARS)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: two or three sentences shown under the title."),
    )
    language = forms.ChoiceField(
        label=_("Document language"),
        choices=settings.LANGUAGES,
        required=False,  # left out: unchanged
        help_text=_("Section titles, field labels, checklist messages and the PDF use it."),
    )


# Shown where a schema group has no title of its own (composed schemas keep field titles only).
GROUP_TITLES = {
    "problem": _("Problem & business goal"),
    "requirements": _("Requirements & constraints"),
    "metrics": _("Metrics"),
    "entities": _("Entities & features"),
    "data": _("Data"),
    "baseline": _("Baseline"),
    "model": _("Model"),
    "serving": _("Serving & deployment"),
    "monitoring": _("Monitoring & maintenance"),
    "ab_test": _("A/B test plan"),
    "risks": _("Risks & open questions"),
}


# Hand-indented JSON is allowed some room; what is stored is bounded by fields.DATA_MAX_BYTES.
DATA_TEXT_MAX_CHARS = 2 * fields.DATA_MAX_BYTES


def _finite_number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is not a finite number")
    return number


def _no_constants(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def field_label(schema: dict, path: str) -> str:
    """A reader's name for a field path: `metrics.items.0.kind` is "Metrics > row 1 > Kind"."""
    labels: list[str] = []
    node: Any = schema
    for depth, part in enumerate(path.split(".")):
        if isinstance(node, dict) and node.get("type") == "array" and part.isdigit():
            labels.append(_("row %(n)s") % {"n": int(part) + 1})
            node = node.get("items", {})
            continue
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        node = properties.get(part, {})
        title = node.get("title") if isinstance(node, dict) else None
        if depth == 0:
            if len(schema.get("properties", {})) == 1 and len(path.split(".")) > 1:
                continue  # a one-group section is that group: no need to name it
            title = title or GROUP_TITLES.get(part)
        labels.append(str(title or part.replace("_", " ").capitalize()))
    return " \u203a ".join(labels)


class SectionForm(ServiceErrorsMixin, forms.Form):
    """The editor's POST: the Markdown body, the structured fields as JSON text, the base version.

    Without JavaScript the fields are a raw JSON textarea; with it, a form built from the schema
    writes the same JSON. A request without `data` leaves the stored fields as they are.
    """

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
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "The section's fields as a JSON object keyed by group, for example "
            '{"metrics": {"items": [{"name": "ctr", "kind": "online"}]}}. '
            "Shares are fractions: 0.05 means 5 %."
        ),
    )
    base_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors of the structured fields by path (`metrics.items.0.kind`), for the fields form.
        self.field_errors: dict[str, list[str]] = {}

    def clean_data(self) -> dict | None:
        if "data" not in self.data:
            return None
        raw = self.cleaned_data["data"]
        if len(raw) > DATA_TEXT_MAX_CHARS:
            raise ValidationError(
                _("The structured fields are %(n)s characters of JSON; the limit is %(max)s.")
                % {"n": f"{len(raw):,}", "max": f"{DATA_TEXT_MAX_CHARS:,}"}
            )
        if not raw.strip():
            return {}
        try:
            value = json.loads(raw, parse_float=_finite_number, parse_constant=_no_constants)
        except RecursionError:
            raise ValidationError(_("The structured fields are nested too deeply.")) from None
        except ValueError as exc:
            raise ValidationError(
                _("The structured fields are not valid JSON: %(error)s.") % {"error": exc}
            ) from None
        if not isinstance(value, dict):
            raise ValidationError(_("The structured fields must be a JSON object: {...}."))
        return value

    def add_service_errors(self, exc: ValidationError) -> None:
        """Errors of form fields go on the form; field-path errors are kept by path."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for path, messages in exc.message_dict.items():
            if path in self.fields:
                self.add_error(path, messages)
            elif path == NON_FIELD_ERRORS:
                self.add_error(None, messages)
            else:
                self.field_errors[path] = messages

    def all_field_errors(self) -> dict[str, list[str]]:
        """Every error of the structured fields by path; `data` means the fields as a whole."""
        errors = {"data": list(self.errors["data"])} if "data" in self.errors else {}
        return {**errors, **self.field_errors}
