"""The teams API: my teams, creating a team, and managing its members.

Members are listed to every member; only owners add, re-role and remove them, and a team
always keeps at least one owner.
"""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Membership, Team
from tests.factories import make_user

TEAMS = reverse("api:team-list")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def members_url(team) -> str:
    return reverse("api:team-members", args=[team.pk])


def member_url(team, username: str) -> str:
    return reverse("api:team-member", args=[team.pk, username])


def assert_error(response, status: int, *fields: str) -> dict:
    """The documented status in the one error shape, naming the fields at fault."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for field in fields:
        assert body["errors"].get(field), body
    return body


def assert_denied_to_anonymous(response) -> None:
    assert response.status_code in (401, 403), response.content
    assert set(response.json()) == {"detail", "errors"}


def roles(team) -> dict[str, str]:
    return {m.user.username: m.role for m in team.memberships.select_related("user")}


TEAM_A_ROLES = {"alice": "owner", "bob": "reviewer", "eddie": "editor", "victor": "viewer"}
LADDER_MANAGE = [("carol", 404), ("victor", 403), ("bob", 403), ("eddie", 403)]


@pytest.fixture
def dave(db):
    """Not in any team yet: the person owners add."""
    return make_user("dave", email="Dave@Example.com")


# --- my teams --------------------------------------------------------------------------------


def test_anonymous_cannot_list_teams(team_a):
    assert_denied_to_anonymous(client_for().get(TEAMS))


def test_my_teams_show_my_role_and_the_member_count(cast):
    body = client_for(cast["bob"]).get(TEAMS).json()
    assert len(body) == 1
    team = body[0]
    assert team["name"] == "Ads ranking"
    assert team["role"] == "reviewer"
    assert team["member_count"] == 4
    uuid.UUID(team["id"])


def test_carol_sees_only_her_own_team(cast):
    assert [t["name"] for t in client_for(cast["carol"]).get(TEAMS).json()] == ["Search quality"]


def test_a_user_without_teams_gets_an_empty_list(dave):
    assert client_for(dave).get(TEAMS).json() == []


def test_anonymous_cannot_create_a_team(db):
    assert_denied_to_anonymous(client_for().post(TEAMS, {"name": "Sneaky"}, format="json"))
    assert not Team.objects.exists()


def test_creating_a_team_makes_me_its_owner(dave):
    payload = {"name": "  Recsys  ", "description": "Home feed."}
    response = client_for(dave).post(TEAMS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    team = Team.objects.get()
    assert body["id"] == str(team.pk)
    assert body["name"] == "Recsys"
    assert body["description"] == "Home feed."
    assert body["role"] == "owner"
    assert body["member_count"] == 1
    assert roles(team) == {"dave": "owner"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Ok", "description": "x" * 501}, "description"),
        ({"name": ["Recsys"]}, "name"),
    ],
)
def test_bad_input_when_creating_a_team_is_a_400_and_creates_nothing(dave, payload, field):
    assert_error(client_for(dave).post(TEAMS, payload, format="json"), 400, field)
    assert not Team.objects.exists()


# --- members: list ---------------------------------------------------------------------------


def test_anonymous_cannot_list_members(team_a):
    assert_denied_to_anonymous(client_for().get(members_url(team_a)))


def test_carol_gets_a_404_for_team_a_members(cast, team_a):
    assert_error(client_for(cast["carol"]).get(members_url(team_a)), 404)


@pytest.mark.parametrize("name", ["victor", "bob", "eddie", "alice"])
def test_every_member_sees_who_is_in_the_team(cast, team_a, name):
    response = client_for(cast[name]).get(members_url(team_a))
    assert response.status_code == 200
    body = response.json()
    assert [m["username"] for m in body] == ["alice", "bob", "eddie", "victor"]
    assert body[0]["email"] == "alice@example.com"
    assert {m["username"]: m["role"] for m in body} == TEAM_A_ROLES
    assert all(m["joined"] for m in body)


def test_a_malformed_team_id_in_the_path_is_a_json_404(alice):
    assert_error(client_for(alice).get("/api/v1/teams/not-a-uuid/members/"), 404)


def test_an_unknown_team_is_a_404(alice):
    assert_error(client_for(alice).get(reverse("api:team-members", args=[uuid.uuid4()])), 404)


# --- members: add ----------------------------------------------------------------------------


def test_anonymous_cannot_add_members(team_a, dave):
    payload = {"user": "dave", "role": "viewer"}
    assert_denied_to_anonymous(client_for().post(members_url(team_a), payload, format="json"))
    assert roles(team_a) == TEAM_A_ROLES


@pytest.mark.parametrize("name, status", LADDER_MANAGE)
def test_only_owners_add_members(cast, team_a, dave, name, status):
    payload = {"user": "dave", "role": "editor"}
    response = client_for(cast[name]).post(members_url(team_a), payload, format="json")
    assert_error(response, status)
    assert roles(team_a) == TEAM_A_ROLES


def test_an_owner_adds_a_member_by_username(alice, team_a, dave):
    payload = {"user": "dave", "role": "editor"}
    response = client_for(alice).post(members_url(team_a), payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["email"], body["role"]) == ("dave", "Dave@example.com", "editor")
    assert roles(team_a)["dave"] == "editor"


def test_an_owner_adds_a_member_by_email_in_any_case(alice, team_a, dave):
    payload = {"user": "dave@example.COM", "role": "viewer"}
    response = client_for(alice).post(members_url(team_a), payload, format="json")
    assert response.status_code == 201
    assert roles(team_a)["dave"] == "viewer"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"user": "nobody", "role": "viewer"}, "user"),
        ({"user": "nobody@example.com", "role": "viewer"}, "user"),
        ({"user": "bob", "role": "viewer"}, "user"),
        ({"user": "", "role": "viewer"}, "user"),
        ({"user": "dave", "role": "admin"}, "role"),
        ({"user": "dave"}, "role"),
    ],
)
def test_adding_a_member_with_bad_input_is_a_400_and_adds_nobody(
    alice, team_a, dave, payload, field
):
    response = client_for(alice).post(members_url(team_a), payload, format="json")
    assert_error(response, 400, field)
    assert roles(team_a) == TEAM_A_ROLES


def test_adding_a_member_with_a_body_that_is_not_an_object_is_a_400(alice, team_a):
    response = client_for(alice).post(members_url(team_a), ["dave"], format="json")
    assert "Expected a dictionary" in assert_error(response, 400)["detail"]


# --- members: change role --------------------------------------------------------------------


def test_anonymous_cannot_change_roles(team_a):
    response = client_for().patch(member_url(team_a, "victor"), {"role": "owner"}, format="json")
    assert_denied_to_anonymous(response)
    assert roles(team_a) == TEAM_A_ROLES


@pytest.mark.parametrize("name, status", LADDER_MANAGE)
def test_only_owners_change_roles(cast, team_a, name, status):
    response = client_for(cast[name]).patch(
        member_url(team_a, "victor"), {"role": "owner"}, format="json"
    )
    assert_error(response, status)
    assert roles(team_a) == TEAM_A_ROLES


def test_an_owner_changes_a_role(alice, team_a):
    response = client_for(alice).patch(
        member_url(team_a, "victor"), {"role": "editor"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "editor"
    assert roles(team_a)["victor"] == "editor"


def test_the_last_owner_cannot_be_demoted(alice, team_a):
    response = client_for(alice).patch(
        member_url(team_a, "alice"), {"role": "editor"}, format="json"
    )
    assert "owner" in assert_error(response, 400, "role")["errors"]["role"][0]
    assert roles(team_a)["alice"] == "owner"


def test_an_owner_can_step_down_once_there_is_another_owner(alice, team_a):
    client = client_for(alice)
    client.patch(member_url(team_a, "eddie"), {"role": "owner"}, format="json")
    response = client.patch(member_url(team_a, "alice"), {"role": "viewer"}, format="json")
    assert response.status_code == 200
    assert roles(team_a) == {**TEAM_A_ROLES, "alice": "viewer", "eddie": "owner"}


@pytest.mark.parametrize("payload", [{}, {"role": "superuser"}, {"role": None}])
def test_changing_a_role_to_something_invalid_is_a_400(alice, team_a, payload):
    response = client_for(alice).patch(member_url(team_a, "victor"), payload, format="json")
    assert_error(response, 400, "role")
    assert roles(team_a) == TEAM_A_ROLES


def test_changing_the_role_of_a_non_member_is_a_json_404(alice, team_a, carol):
    for username in ("carol", "nobody"):
        response = client_for(alice).patch(
            member_url(team_a, username), {"role": "viewer"}, format="json"
        )
        assert_error(response, 404)
    assert not Membership.objects.filter(team=team_a, user=carol).exists()


def test_a_username_with_odd_characters_in_the_path_is_a_json_404(alice, team_a):
    for username in ("bad%00name", "space%20name", "a" * 151):
        url = f"/api/v1/teams/{team_a.pk}/members/{username}/"
        assert_error(client_for(alice).patch(url, {"role": "viewer"}, format="json"), 404)


# --- members: remove -------------------------------------------------------------------------


def test_anonymous_cannot_remove_members(team_a):
    assert_denied_to_anonymous(client_for().delete(member_url(team_a, "victor")))
    assert roles(team_a) == TEAM_A_ROLES


@pytest.mark.parametrize("name, status", LADDER_MANAGE)
def test_only_owners_remove_members(cast, team_a, name, status):
    assert_error(client_for(cast[name]).delete(member_url(team_a, "victor")), status)
    assert roles(team_a) == TEAM_A_ROLES


def test_an_owner_removes_a_member(alice, team_a):
    response = client_for(alice).delete(member_url(team_a, "victor"))
    assert response.status_code == 204
    assert not response.content
    assert "victor" not in roles(team_a)


def test_the_last_owner_cannot_be_removed(alice, team_a):
    assert_error(client_for(alice).delete(member_url(team_a, "alice")), 400, "role")
    assert roles(team_a) == TEAM_A_ROLES


def test_a_removed_member_loses_access_at_once(alice, eddie, team_a):
    client_for(alice).delete(member_url(team_a, "eddie"))
    assert_error(client_for(eddie).get(members_url(team_a)), 404)
