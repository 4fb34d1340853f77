"""Forms of the library pages: filters, cloning an example, choosing what to compare."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import ServiceErrorsMixin
from apps.documents.models import TITLE_MAX_CHARS


class LibraryFilterForm(forms.Form):
    """GET filters of the library; an unknown value simply does not filter."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Search the examples' text")}),
    )
    task_type = forms.ChoiceField(label=_("Task type"), required=False)
    serving_mode = forms.ChoiceField(label=_("Serving"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    template = forms.ChoiceField(label=_("Template"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        anything = {
            "task_type": _("Any task type"),
            "serving_mode": _("Any serving mode"),
            "domain": _("Any domain"),
            "template": _("Any template"),
            "language": _("Any language"),
        }
        for name, label in anything.items():
            self.fields[name].choices = [("", label), *choices.get(name, [])]

    def filters(self) -> dict[str, str]:
        """The valid filters as keyword arguments of `selectors.example_list`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"], **{name: data[name] for name in self.fields if name != "q"}}


class CloneForm(ServiceErrorsMixin, forms.Form):
    # A UUID, not a choice: the view authorizes the team with get_team_for_user.
    team = forms.UUIDField(
        label=_("Team"),
        widget=forms.Select,
        help_text=_("Teams where you are an editor or an owner."),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX_CHARS,
        help_text=_("Leave empty to keep the example's title."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].widget.choices = [(str(team.id), team.name) for team in teams]


class CompareForm(forms.Form):
    document = forms.UUIDField(label=_("My document"), widget=forms.Select)
    example = forms.SlugField(label=_("Example"), widget=forms.Select)

    def __init__(self, *args, documents, examples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.choices = [("", "—")] + [
            (str(doc.id), f"{doc.title} · {doc.team.name}") for doc in documents
        ]
        self.fields["example"].widget.choices = [("", "—")] + [
            (example.slug, example.title) for example in examples
        ]
