"""REST API of the accounts app (mounted under /api/v1/): teams and their members.

Users are identified by username, teams by UUID; the rules live in `permissions.py`.
"""

from django.urls import path, re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.models import Membership, Team
from apps.accounts.permissions import Need, get_team_for_user


class TeamOutput(serializers.ModelSerializer):
    role = serializers.ChoiceField(
        source="user_role", choices=Membership.Role.choices, read_only=True
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "description", "role", "member_count", "created_at"]
        read_only_fields = fields


class MemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    joined = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "email", "role", "joined"]
        read_only_fields = fields


class TeamListCreateApi(APIView):
    """The signed-in user's teams; creating one makes the creator its owner."""

    @extend_schema_serializer(component_name="TeamCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=Team._meta.get_field("name").max_length)
        description = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=Team._meta.get_field("description").max_length,
        )

    @extend_schema(operation_id="teams_list", responses=TeamOutput(many=True))
    def get(self, request):
        """The teams I belong to, with my role and the member count."""
        teams = selectors.team_list_for_user(request.user)
        return Response(TeamOutput(teams, many=True).data)

    @extend_schema(
        operation_id="teams_create", request=InputSerializer, responses={201: TeamOutput}
    )
    def post(self, request):
        """Create a team; I become its owner."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(owner=request.user, **data.validated_data)
        team = selectors.team_list_for_user(request.user).get(pk=team.pk)
        return Response(TeamOutput(team).data, status=status.HTTP_201_CREATED)


class TeamMemberListAddApi(APIView):
    """Any member sees who is in the team; owners add people by username or email."""

    @extend_schema_serializer(component_name="TeamMemberAddInput")
    class InputSerializer(serializers.Serializer):
        user = serializers.CharField(
            max_length=254, help_text="The username or email address of an existing user."
        )
        role = serializers.ChoiceField(choices=Membership.Role.choices)

    @extend_schema(operation_id="team_members_list", responses=MemberOutput(many=True))
    def get(self, request, team_id):
        """The members of a team I belong to."""
        team = get_team_for_user(request.user, team_id, need=Need.VIEW)
        return Response(MemberOutput(selectors.team_members(team), many=True).data)

    @extend_schema(
        operation_id="team_members_add", request=InputSerializer, responses={201: MemberOutput}
    )
    def post(self, request, team_id):
        """Add an existing user, by username or email, with a role (owners only)."""
        team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(
            team=team, identifier=data.validated_data["user"], role=data.validated_data["role"]
        )
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


_MEMBER_PATH = [
    OpenApiParameter("team_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
    OpenApiParameter("username", str, OpenApiParameter.PATH),
]


class TeamMemberDetailApi(APIView):
    """Owners change a member's role or remove them; a team always keeps an owner."""

    @extend_schema_serializer(component_name="TeamMemberRoleInput")
    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices)

    @extend_schema(
        operation_id="team_members_change_role",
        parameters=_MEMBER_PATH,
        request=InputSerializer,
        responses=MemberOutput,
    )
    def patch(self, request, team_id, username):
        """Change a member's role (owners only; the last owner cannot be demoted)."""
        team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = selectors.membership_get(team, username)
        membership = services.membership_change_role(
            membership=membership, role=data.validated_data["role"]
        )
        return Response(MemberOutput(membership).data)

    @extend_schema(
        operation_id="team_members_remove",
        parameters=_MEMBER_PATH,
        request=None,
        responses={204: None},
    )
    def delete(self, request, team_id, username):
        """Remove a member (owners only; the last owner cannot be removed)."""
        team = get_team_for_user(request.user, team_id, need=Need.MANAGE)
        services.membership_remove(membership=selectors.membership_get(team, username))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Usernames are restricted to Django's username alphabet in the URL, so odd bytes (a NUL,
# which PostgreSQL rejects) never reach a query; anything else is a JSON 404.
urlpatterns = [
    path("teams/", TeamListCreateApi.as_view(), name="team-list"),
    path("teams/<uuid:team_id>/members/", TeamMemberListAddApi.as_view(), name="team-members"),
    re_path(
        r"^teams/(?P<team_id>[0-9a-fA-F-]{36})/members/(?P<username>[\w.@+-]{1,150})/$",
        TeamMemberDetailApi.as_view(),
        name="team-member",
    ),
]
