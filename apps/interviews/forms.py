"""Forms of the practice pages: they parse input; the services validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.interviews.models import NOTE_MAX_CHARS


class InviteForm(forms.Form):
    interviewer = forms.ChoiceField(
        label=_("Interviewer"),
        help_text=_(
            "A member of the team who can read this document. They see the same clock, the "
            "follow-up questions, and write notes only they can read."
        ),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].choices = [
            ("", _("Choose a member")),
            *((m.user.username, f"{m.user.username} · {m.get_role_display()}") for m in members),
        ]


class NextForm(forms.Form):
    """The block the page showed as current, so a second press never skips a block."""

    block = forms.SlugField(required=False, max_length=64, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Your notes"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Private: only you, the interviewer, ever see them."),
    )
