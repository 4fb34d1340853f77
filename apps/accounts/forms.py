"""Forms of the accounts pages: they parse input; services decide and write."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Membership, Team

User = get_user_model()


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form: by field when the form has it, else on top."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Teammates can add you to their team by this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        # Members are added by username or email, so an email must point at one account.
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this email already exists: log in instead."))
        return email


class TeamForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Team name"),
        max_length=Team._meta.get_field("name").max_length,
        help_text=_("For example “Ads ranking” or “ML course, spring cohort”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Team._meta.get_field("description").max_length,
        help_text=_("Optional: what the team works on."),
    )


class MemberAddForm(ServiceErrorsMixin, forms.Form):
    # Named `user` because membership_add reports a missing user under that key.
    user = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_("They need an account on the portal already."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR
    )


class MemberRoleForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class LanguageForm(forms.Form):
    """The interface language: one of the site's, or "" for the browser's (settings page)."""

    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Documents keep their own language: each is written and exported in it."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
