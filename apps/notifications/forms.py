from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=_("Email me about mentions, review requests, decisions and sign-offs"),
        required=False,
    )
