"""Forms of the review pages: they parse input; the services validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.reviews import rubric
from apps.reviews.models import (
    COMMENT_MAX_CHARS,
    FIELD_PATH_MAX_CHARS,
    QUOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    ReviewDecision,
    Thread,
)


def _body(label, required=True, rows=4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=COMMENT_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=_("Markdown. Mention teammates with @username."),
    )


class ThreadForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    kind = forms.ChoiceField(label=_("Type"), choices=Thread.Kind.choices)
    body = _body(_("Comment"))
    quote = forms.CharField(
        label=_("Quoted passage"),
        required=False,
        max_length=QUOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Select text in the section to quote it; the thread is marked outdated "
                    "when the passage changes."),
    )  # fmt: skip
    field_path = forms.ChoiceField(label=_("Field"), required=False)

    def __init__(self, *args, sections=(), field_paths=(), kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.key, s.spec.local_title) for s in sections]
        self.fields["field_path"].choices = [("", _("The whole section")), *field_paths]
        if kinds is not None:
            self.fields["kind"].choices = [c for c in Thread.Kind.choices if c[0] in kinds]


class ReplyForm(forms.Form):
    body = _body(label=_("Reply"), rows=3)


class CommentEditForm(forms.Form):
    body = _body(_("Comment"))


class ResolveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you resolve a blocking concern someone else raised."),
    )


class ReviewRequestForm(forms.Form):
    reviewers = forms.MultipleChoiceField(label=_("Reviewers"), widget=forms.CheckboxSelectMultiple)
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to ask for the whole document."),
    )

    def __init__(self, *args, candidates=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [
            (m.user.username, f"{m.user.username} · {m.get_role_display()}") for m in candidates
        ]
        self.fields["sections"].choices = [(s.key, s.spec.local_title) for s in sections]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewDecision.Kind.APPROVE, _("Approve")),
            (ReviewDecision.Kind.REQUEST_CHANGES, _("Request changes")),
            (ReviewDecision.Kind.COMMENT, _("Comment")),
        ],
        widget=forms.RadioSelect,
        initial=ReviewDecision.Kind.APPROVE,
    )
    body = _body(label=_("Note"), required=False, rows=3)
    content_hash = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


def field_path_choices(section) -> list[tuple[str, str]]:
    """The section's fields as (path, "Group › Field") for anchoring a thread."""
    choices = []
    for group, group_schema in (section.spec.local_schema or {}).get("properties", {}).items():
        group_title = group_schema.get("title") or group.replace("_", " ").capitalize()
        for name, schema in (group_schema.get("properties") or {}).items():
            path = f"{group}.{name}"
            if len(path) <= FIELD_PATH_MAX_CHARS:
                title = schema.get("title") or name.replace("_", " ").capitalize()
                choices.append((path, f"{group_title} › {title}"))
    return choices


class ScorecardForm(forms.Form):
    """One score (0–3 or blank), comment and lift-the-cap box per criterion of the rubric."""

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=[("", _("Not scored")), *((s, str(s)) for s in rubric.SCORES)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{criterion.key}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=rubric.COMMENT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"lift_{criterion.key}"] = forms.BooleanField(
                label=_("Lift the cap (say why in the comment)"), required=False
            )

    @classmethod
    def initial_from(cls, entries: dict) -> dict:
        initial = {}
        for key, entry in entries.items():
            initial[f"score_{key}"] = entry.get("score")
            initial[f"comment_{key}"] = entry.get("comment", "")
            initial[f"lift_{key}"] = entry.get("lift_cap", False)
        return initial

    def entries(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            c.key: {
                "score": data[f"score_{c.key}"],
                "comment": data[f"comment_{c.key}"],
                "lift_cap": data[f"lift_{c.key}"],
            }
            for c in self.criteria
        }

    def add_criterion_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = f"comment_{key}"
            self.add_error(name if name in self.fields else None, messages)

    def rows(self):
        """(criterion, score field, comment field, lift field) for the template."""
        for c in self.criteria:
            yield c, self[f"score_{c.key}"], self[f"comment_{c.key}"], self[f"lift_{c.key}"]
