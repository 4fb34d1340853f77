"""HTML pages for accounts: signup, settings with the API token, teams and their members."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import (
    LanguageForm,
    MemberAddForm,
    MemberRoleForm,
    SignupForm,
    TeamForm,
)
from apps.accounts.middleware import remember_language
from apps.accounts.models import Membership
from apps.accounts.permissions import (
    Need,
    can_create_document,
    can_manage_team,
    get_team_for_user,
)
from apps.documents.selectors import document_list_for_user
from apps.notifications.forms import PreferenceForm
from apps.notifications.selectors import email_enabled


def signup(request):
    """Create an account, sign it in and go to the dashboard."""
    if request.user.is_authenticated:
        return redirect("documents:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome, %(name)s! Create a team to start writing.") % {"name": user}
            )
            return redirect("documents:dashboard")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def settings_page(request):
    """The account page: who you are and your API token."""
    token = selectors.api_token_for_user(request.user)
    email_form = PreferenceForm(initial={"email_enabled": email_enabled(request.user)})
    language_form = LanguageForm(
        initial={"language": selectors.language_for_user(request.user), "next": request.path}
    )
    return render(
        request,
        "accounts/settings.html",
        {
            "token": token,
            "api_base": request.build_absolute_uri("/api/v1/"),
            "email_form": email_form,
            "language_form": language_form,
        },
    )


@require_POST
def language_set(request):
    """Switch the interface language: kept on the account when signed in, and in a cookie
    (which is all an anonymous visitor has). Back to the page it was asked from."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("home")
    language = form.cleaned_data["language"]
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if request.user.is_authenticated:
        services.language_set(user=request.user, language=language)
        remember_language(request, language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@require_POST
@login_required
def token_create(request):
    had_token = selectors.api_token_for_user(request.user) is not None
    services.token_create(user=request.user)
    if had_token:
        messages.success(request, _("A new API token was created; the old one no longer works."))
    else:
        messages.success(request, _("Your API token was created."))
    return redirect("accounts:settings")


@require_POST
@login_required
def token_revoke(request):
    services.token_revoke(user=request.user)
    messages.success(request, _("Your API token was revoked: requests using it are refused."))
    return redirect("accounts:settings")


def _team_list_page(request, form: TeamForm, *, status: int = 200):
    teams = list(selectors.team_list_for_user(request.user))
    for team in teams:
        team.role_label = Membership.Role(team.user_role).label
    return render(request, "accounts/team_list.html", {"teams": teams, "form": form}, status=status)


@login_required
def team_list(request):
    """The user's teams with their role, and a form to create one."""
    return _team_list_page(request, TeamForm())


@require_POST
@login_required
def team_create(request):
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.team_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                owner=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Team “%(name)s” created. You are its owner.") % {"name": team.name}
            )
            return redirect("accounts:team_detail", team.id)
    return _team_list_page(request, form, status=400)


def _team_page(
    request,
    team,
    *,
    add_form: MemberAddForm | None = None,
    member_errors: dict | None = None,
    status: int = 200,
):
    can_manage = can_manage_team(request.user, team)
    context = {
        "team": team,
        "my_role": Membership.Role(team.user_role).label,
        "members": selectors.team_members(team),
        "documents": document_list_for_user(request.user, team_id=team.id),
        "can_manage": can_manage,
        "can_create": can_create_document(request.user, team),
        "add_form": add_form or (MemberAddForm() if can_manage else None),
        "role_choices": Membership.Role.choices,
        "member_errors": member_errors,
    }
    return render(request, "accounts/team_detail.html", context, status=status)


@login_required
def team_detail(request, team_id):
    """Members with their roles and the team's documents; owners manage members here."""
    team = get_team_for_user(request.user, team_id)
    return _team_page(request, team)


@require_POST
@login_required
def member_add(request, team_id):
    team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.membership_add(
                team=team, identifier=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s joined the team as %(role)s.")
                % {"name": membership.user.username, "role": membership.get_role_display()},
            )
            return redirect("accounts:team_detail", team.id)
    return _team_page(request, team, add_form=form, status=400)


@require_POST
@login_required
def member_role(request, team_id, username):
    team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
    membership = selectors.membership_get(team, username)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": username, "role": membership.get_role_display()},
            )
            return redirect("accounts:team_detail", team.id)
    errors = [error for errors in form.errors.values() for error in errors]
    return _team_page(
        request, team, member_errors={"username": username, "messages": errors}, status=400
    )


@require_POST
@login_required
def member_remove(request, team_id, username):
    team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
    membership = selectors.membership_get(team, username)
    try:
        services.membership_remove(membership=membership)
    except ValidationError as exc:
        return _team_page(
            request,
            team,
            member_errors={"username": username, "messages": exc.messages},
            status=400,
        )
    if membership.user_id == request.user.pk:
        messages.success(request, _("You left “%(team)s”.") % {"team": team.name})
        return redirect("accounts:team_list")
    messages.success(request, _("%(name)s was removed from the team.") % {"name": username})
    return redirect("accounts:team_detail", team.id)
