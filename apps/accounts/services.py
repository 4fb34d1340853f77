"""Writes for accounts: teams, memberships and API tokens."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from apps.accounts.models import Membership, Profile, Team
from apps.accounts.permissions import Need, role_allows
from apps.reviews.services import review_requests_withdraw_for

User = get_user_model()
Role = Membership.Role


def _clean_team_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    limit = Team._meta.get_field("name").max_length
    if len(name) > limit:
        raise ValidationError(
            {"name": _("Keep the team name to %(n)s characters or fewer.") % {"n": limit}}
        )
    return name


def _clean_team_description(description: str) -> str:
    description = (description or "").strip()
    limit = Team._meta.get_field("description").max_length
    if len(description) > limit:
        raise ValidationError(
            {"description": _("Keep the description to %(n)s characters or fewer.") % {"n": limit}}
        )
    return description


@transaction.atomic
def team_create(*, name: str, owner, description: str = "") -> Team:
    """Create a team with `owner` as its first owner."""
    team = Team.objects.create(
        name=_clean_team_name(name), description=_clean_team_description(description)
    )
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def _find_user(identifier: str):
    identifier = (identifier or "").strip()
    if not identifier:
        raise ValidationError({"user": _("Enter a username or an email address.")})
    matches = list(
        User.objects.filter(
            Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True
        )[:2]
    )
    if len(matches) != 1:
        raise ValidationError(
            {"user": _("No user with the username or email “%(id)s”.") % {"id": identifier}}
        )
    return matches[0]


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(
            {"role": _("Choose one of: %(roles)s.") % {"roles": ", ".join(Role.values)}}
        )
    return role


@transaction.atomic
def membership_add(*, team: Team, identifier: str, role: str) -> Membership:
    """Add an existing user, found by username or email, to `team` with `role`."""
    role = _clean_role(role)
    user = _find_user(identifier)
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError(
            {"user": _("%(name)s is already a member of this team.") % {"name": user.username}}
        )
    return Membership.objects.create(team=team, user=user, role=role)


def _ensure_another_owner(membership: Membership) -> None:
    # Lock every owner row of the team, in one order, and judge by the database rather than the
    # in-memory role: two owners demoting each other at once are serialised, and the second is
    # refused instead of leaving the team without an owner.
    owners = list(
        Membership.objects.select_for_update()
        .filter(team=membership.team_id, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise ValidationError(
            {"role": _("A team needs at least one owner: make someone else an owner first.")}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last owner cannot be demoted."""
    role = _clean_role(role)
    if role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    if not role_allows(role, Need.REVIEW):
        review_requests_withdraw_for(user=membership.user, team=membership.team)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member; the last owner cannot be removed."""
    _ensure_another_owner(membership)
    membership.delete()
    review_requests_withdraw_for(user=membership.user, team=membership.team)


@transaction.atomic
def token_create(*, user) -> Token:
    """Create a fresh API token for `user`, replacing any previous one."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_revoke(*, user) -> None:
    """Revoke the user's API token, if any."""
    Token.objects.filter(user=user).delete()


@transaction.atomic
def language_set(*, user, language: str) -> Profile:
    """Remember `language` as `user`'s interface language ("" goes back to the browser's)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
