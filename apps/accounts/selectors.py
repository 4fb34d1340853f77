"""Reads for accounts shared by pages and the API."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from rest_framework.authtoken.models import Token

from apps.accounts.models import Membership, Profile, Team


def team_list_for_user(user) -> QuerySet[Team]:
    """The user's teams with their role and member count."""
    role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Team.objects.for_user(user)
        .annotate(user_role=Subquery(role), member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def team_members(team: Team) -> QuerySet[Membership]:
    """Memberships of `team` with their users, by username."""
    return Membership.objects.filter(team=team).select_related("user").order_by("user__username")


def membership_get(team: Team, username: str) -> Membership:
    """The membership of `username` in `team` (a 404 when there is none)."""
    return get_object_or_404(team_members(team), user__username=username)


def api_token_for_user(user) -> Token | None:
    """The user's API token, or None when they have not created one."""
    return Token.objects.filter(user=user).first()


def language_for_user(user) -> str:
    """The interface language `user` chose, or "" for the browser's."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
