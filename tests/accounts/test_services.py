"""Account services: teams, memberships and API tokens."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from apps.accounts.models import Membership, Team
from apps.accounts.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    team_create,
    token_create,
    token_revoke,
)
from tests.factories import make_user


def membership(team, user) -> Membership:
    return Membership.objects.get(team=team, user=user)


# team_create


def test_team_create_makes_the_creator_its_owner(alice):
    team = team_create(name="  Fraud detection ", owner=alice, description=" Card fraud. ")

    team.refresh_from_db()
    assert team.name == "Fraud detection"
    assert team.description == "Card fraud."
    assert list(team.memberships.values_list("user__username", "role")) == [("alice", "owner")]


def test_a_team_name_of_exactly_100_characters_is_accepted(alice):
    team = team_create(name="n" * 100, owner=alice)

    team.refresh_from_db()
    assert len(team.name) == 100


@pytest.mark.parametrize(
    "name", ["", "   ", None, "n" * 101], ids=["empty", "blank", "none", "too-long"]
)
def test_team_create_refuses_a_bad_name_and_creates_nothing(alice, name):
    with pytest.raises(ValidationError) as excinfo:
        team_create(name=name, owner=alice)

    assert "name" in excinfo.value.message_dict
    assert not Team.objects.exists()
    assert not Membership.objects.exists()


def test_team_create_refuses_a_description_over_500_characters_and_creates_nothing(alice):
    with pytest.raises(ValidationError) as excinfo:
        team_create(name="Fraud", owner=alice, description="d" * 501)

    assert "description" in excinfo.value.message_dict
    assert not Team.objects.exists()
    assert not Membership.objects.exists()


# membership_add


def test_membership_add_finds_a_user_by_username(team_b, bob):
    added = membership_add(team=team_b, identifier="bob", role="reviewer")

    assert (added.team, added.user, added.role) == (team_b, bob, "reviewer")
    assert membership(team_b, bob).role == "reviewer"


@pytest.mark.parametrize("identifier", ["BOB", "  Bob  ", "bob@example.com", "Bob@Example.COM"])
def test_membership_add_matches_username_and_email_case_insensitively(team_b, bob, identifier):
    membership_add(team=team_b, identifier=identifier, role="viewer")

    assert membership(team_b, bob).role == "viewer"


@pytest.mark.parametrize(
    "identifier", ["nobody", "nobody@example.com", "", "   ", None, "bo"], ids=repr
)
def test_membership_add_refuses_an_unknown_user_and_creates_nothing(team_b, bob, identifier):
    count = Membership.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        membership_add(team=team_b, identifier=identifier, role="viewer")

    assert "user" in excinfo.value.message_dict
    assert Membership.objects.count() == count


def test_membership_add_refuses_an_inactive_user(team_b, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as excinfo:
        membership_add(team=team_b, identifier="bob", role="viewer")

    assert "user" in excinfo.value.message_dict
    assert not Membership.objects.filter(team=team_b, user=bob).exists()


def test_membership_add_refuses_someone_already_a_member_and_keeps_their_role(team_a, victor):
    with pytest.raises(ValidationError) as excinfo:
        membership_add(team=team_a, identifier="victor@example.com", role="owner")

    assert "user" in excinfo.value.message_dict
    assert membership(team_a, victor).role == "viewer"
    assert Membership.objects.filter(team=team_a, user=victor).count() == 1


@pytest.mark.parametrize("role", ["admin", "", None, "Owner", "superuser"], ids=repr)
def test_membership_add_refuses_an_invalid_role_and_creates_nothing(team_b, bob, role):
    with pytest.raises(ValidationError) as excinfo:
        membership_add(team=team_b, identifier="bob", role=role)

    assert "role" in excinfo.value.message_dict
    assert not Membership.objects.filter(team=team_b, user=bob).exists()


def test_membership_add_puts_the_same_user_in_two_teams(team_a, team_b, bob):
    membership_add(team=team_b, identifier="bob", role="editor")

    assert membership(team_a, bob).role == "reviewer"
    assert membership(team_b, bob).role == "editor"


# membership_change_role


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_membership_change_role_sets_any_valid_role(team_a, victor, role):
    membership_change_role(membership=membership(team_a, victor), role=role)

    assert membership(team_a, victor).role == role


def test_membership_change_role_refuses_an_invalid_role_and_changes_nothing(team_a, victor):
    row = membership(team_a, victor)

    with pytest.raises(ValidationError) as excinfo:
        membership_change_role(membership=row, role="admin")

    assert "role" in excinfo.value.message_dict
    row.refresh_from_db()
    assert row.role == "viewer"


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_the_last_owner_cannot_be_demoted(team_a, alice, role):
    row = membership(team_a, alice)

    with pytest.raises(ValidationError) as excinfo:
        membership_change_role(membership=row, role=role)

    assert "role" in excinfo.value.message_dict
    row.refresh_from_db()
    assert row.role == "owner"


def test_the_last_owner_may_stay_owner(team_a, alice):
    membership_change_role(membership=membership(team_a, alice), role="owner")

    assert membership(team_a, alice).role == "owner"


def test_an_owner_can_be_demoted_once_another_owner_exists(team_a, alice, eddie):
    membership_change_role(membership=membership(team_a, eddie), role="owner")

    membership_change_role(membership=membership(team_a, alice), role="editor")

    assert membership(team_a, alice).role == "editor"
    assert membership(team_a, eddie).role == "owner"


def test_two_owners_cannot_both_step_down(team_a, alice, eddie):
    membership_change_role(membership=membership(team_a, eddie), role="owner")
    alice_row, eddie_row = membership(team_a, alice), membership(team_a, eddie)

    membership_change_role(membership=alice_row, role="viewer")
    with pytest.raises(ValidationError):
        membership_change_role(membership=eddie_row, role="viewer")

    eddie_row.refresh_from_db()
    assert eddie_row.role == "owner"


def test_the_last_owner_check_uses_the_database_not_a_stale_object(team_a, alice, eddie):
    stale_eddie = membership(team_a, eddie)  # loaded while eddie was still an editor
    membership_change_role(membership=membership(team_a, eddie), role="owner")
    membership_change_role(membership=membership(team_a, alice), role="viewer")

    with pytest.raises(ValidationError):
        membership_remove(membership=stale_eddie)

    assert membership(team_a, eddie).role == "owner"


def test_changing_a_role_in_one_team_leaves_other_teams_alone(team_a, team_b, alice, carol):
    membership_add(team=team_b, identifier="alice", role="owner")

    membership_change_role(membership=membership(team_b, carol), role="viewer")

    assert membership(team_b, carol).role == "viewer"
    assert membership(team_a, alice).role == "owner"
    with pytest.raises(ValidationError):
        membership_change_role(membership=membership(team_a, alice), role="viewer")


# membership_remove


def test_membership_remove_removes_a_member(team_a, victor):
    membership_remove(membership=membership(team_a, victor))

    assert not Membership.objects.filter(team=team_a, user=victor).exists()


def test_the_last_owner_cannot_be_removed(team_a, alice):
    row = membership(team_a, alice)

    with pytest.raises(ValidationError) as excinfo:
        membership_remove(membership=row)

    assert "role" in excinfo.value.message_dict
    row.refresh_from_db()
    assert row.role == "owner"


def test_an_owner_can_be_removed_once_another_owner_exists(team_a, alice, eddie):
    membership_change_role(membership=membership(team_a, eddie), role="owner")

    membership_remove(membership=membership(team_a, alice))

    assert not Membership.objects.filter(team=team_a, user=alice).exists()
    owners = team_a.memberships.filter(role="owner").values_list("user__username", flat=True)
    assert list(owners) == ["eddie"]


# tokens


def test_token_create_gives_the_user_a_token(alice):
    token = token_create(user=alice)

    assert Token.objects.get(user=alice).key == token.key
    assert len(token.key) == 40


def test_token_create_replaces_the_previous_token(alice):
    first = token_create(user=alice)

    second = token_create(user=alice)

    assert second.key != first.key
    assert list(Token.objects.filter(user=alice).values_list("key", flat=True)) == [second.key]
    assert not Token.objects.filter(key=first.key).exists()


def test_token_create_leaves_other_users_tokens_alone(alice, bob):
    bobs = token_create(user=bob)

    token_create(user=alice)

    assert Token.objects.get(user=bob).key == bobs.key


def test_token_revoke_deletes_the_token(alice, bob):
    token_create(user=alice)
    bobs = token_create(user=bob)

    token_revoke(user=alice)

    assert not Token.objects.filter(user=alice).exists()
    assert Token.objects.get(user=bob).key == bobs.key


def test_token_revoke_without_a_token_does_nothing(db):
    user = make_user("dora")

    token_revoke(user=user)

    assert not Token.objects.exists()


def test_create_demo_makes_an_owner_and_a_reviewer_and_resets_their_passwords(db):
    out = io.StringIO()
    call_command("create_demo", stdout=out)
    call_command("create_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Demo account (created): username 'demo'")
    assert lines[3].startswith("Reviewer account (password reset): username 'demo-reviewer'")
    password = lines[3].split("password ")[-1].strip("'")
    team = Team.objects.get(name="Demo team")
    roles = dict(team.memberships.values_list("user__username", "role"))
    assert roles == {"demo": "owner", "demo-reviewer": "reviewer"}
    assert get_user_model().objects.get(username="demo-reviewer").check_password(password)
