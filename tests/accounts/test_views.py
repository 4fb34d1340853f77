"""Account pages: signup, login, logout, password change, API token, teams and members."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.accounts.models import Membership, Team
from tests.factories import PASSWORD, make_document, make_user

User = get_user_model()

MEMBERS_OF_A = ["victor", "bob", "eddie"]  # every role below owner


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return " ".join(page(response).get_text(" ").split())


def as_user(client, user):
    client.force_login(user)
    return client


def login_url_for(url: str) -> str:
    return f"{reverse('accounts:login')}?next={url}"


def team_url(team, name="accounts:team_detail", *args) -> str:
    return reverse(name, args=[team.id, *args])


def roles(team) -> dict[str, str]:
    return dict(team.memberships.values_list("user__username", "role"))


# ---------- Signup, login, logout, password ----------


def test_signup_page_shows_a_labelled_form_to_anonymous_visitors(client, db):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    soup = page(response)
    for name in ("username", "email", "password1", "password2"):
        field = soup.find(attrs={"name": name})
        assert soup.find("label", attrs={"for": field["id"]}), name


def test_signup_creates_the_account_signs_it_in_and_opens_the_dashboard(client, db):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "nina",
            "email": "nina@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("documents:dashboard")
    assert response.context["user"].username == "nina"
    assert User.objects.get(username="nina").email == "nina@example.com"
    assert "Create a team first" in text(response)


def test_signup_refuses_mismatched_passwords_and_creates_nothing(client, db):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "nina", "email": "n@example.com", "password1": PASSWORD, "password2": "x"},
    )
    assert response.status_code == 400
    assert "The two password fields didn" in text(response)
    assert not User.objects.filter(username="nina").exists()


def test_signup_refuses_an_email_already_in_use(client, alice):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "alice2",
            "email": "ALICE@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "An account with this email already exists" in text(response)
    assert not User.objects.filter(username="alice2").exists()


def test_signup_sends_signed_in_users_to_their_dashboard(client, alice):
    response = as_user(client, alice).get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response.url == reverse("documents:dashboard")


def test_login_with_the_right_password_opens_the_dashboard(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("documents:dashboard")
    assert response.context["user"] == alice


def test_login_with_a_wrong_password_says_so_and_stays_anonymous(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert "Please enter a correct username and password" in text(response)
    assert not response.wsgi_request.user.is_authenticated


def test_login_returns_to_the_page_that_asked_for_it(client, alice, doc):
    url = reverse("documents:detail", args=[doc.id])
    response = client.post(
        login_url_for(url), {"username": "alice", "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response.url == url


def test_logout_needs_a_post(client, alice):
    response = as_user(client, alice).get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.get(reverse("documents:dashboard")).status_code == 200


def test_logout_signs_out_and_goes_home(client, alice):
    response = as_user(client, alice).post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("documents:dashboard")).status_code == 302


def test_password_change_needs_a_signed_in_user(client, db):
    url = reverse("accounts:password_change")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == login_url_for(url)


def test_password_change_sets_the_new_password_and_keeps_the_user_signed_in(client, alice):
    new = "another-long-passphrase-42"
    response = as_user(client, alice).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change_done")
    assert "Password changed" in text(response)
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert client.get(reverse("documents:dashboard")).status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, alice):
    new = "another-long-passphrase-42"
    response = as_user(client, alice).post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert "Your old password was entered incorrectly" in text(response)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# ---------- Settings and the API token ----------


def test_settings_needs_a_signed_in_user(client, db):
    url = reverse("accounts:settings")
    assert client.get(url).url == login_url_for(url)


def test_settings_without_a_token_offers_to_create_one(client, alice):
    response = as_user(client, alice).get(reverse("accounts:settings"))
    assert response.status_code == 200
    body = text(response)
    assert "You have no API token yet" in body
    assert "Authorization: Token <your token>" in body
    assert page(response).find("a", href=reverse("api-docs"))


def test_creating_a_token_shows_it_with_how_to_use_it(client, alice):
    as_user(client, alice)
    response = client.post(reverse("accounts:token_create"), follow=True)
    token = Token.objects.get(user=alice)
    body = text(response)
    assert "Your API token was created" in body
    assert page(response).find("input", id="api-token")["value"] == token.key
    assert f"Authorization: Token {token.key}" in body
    assert "/api/v1/documents/" in body


def test_regenerating_a_token_replaces_the_old_one(client, alice):
    as_user(client, alice)
    client.post(reverse("accounts:token_create"))
    old = Token.objects.get(user=alice).key
    response = client.post(reverse("accounts:token_create"), follow=True)
    new = Token.objects.get(user=alice).key
    assert new != old
    assert "the old one no longer works" in text(response)


def test_revoking_a_token_deletes_it(client, alice):
    as_user(client, alice)
    client.post(reverse("accounts:token_create"))
    response = client.post(reverse("accounts:token_revoke"), follow=True)
    assert not Token.objects.filter(user=alice).exists()
    assert "Your API token was revoked" in text(response)


@pytest.mark.parametrize("name", ["accounts:token_create", "accounts:token_revoke"])
def test_token_actions_refuse_get(client, alice, name):
    assert as_user(client, alice).get(reverse(name)).status_code == 405
    assert not Token.objects.filter(user=alice).exists()


def test_anonymous_cannot_create_a_token(client, db):
    response = client.post(reverse("accounts:token_create"))
    assert response.status_code == 302
    assert not Token.objects.exists()


# ---------- Team list and creation ----------


def test_team_list_needs_a_signed_in_user(client, db):
    url = reverse("accounts:team_list")
    assert client.get(url).url == login_url_for(url)


def test_team_list_shows_my_teams_with_my_role_and_member_count(client, cast, team_a):
    response = as_user(client, cast["bob"]).get(reverse("accounts:team_list"))
    assert response.status_code == 200
    body = text(response)
    assert "Ads ranking" in body
    assert "Reviewer" in body
    assert "4 members" in body
    assert "Search quality" not in body


def test_team_list_without_teams_says_what_to_do(client, alice):
    response = as_user(client, alice).get(reverse("accounts:team_list"))
    body = text(response)
    assert "You are not in a team yet" in body
    assert "alice@example.com" in body


def test_creating_a_team_makes_me_its_owner(client, alice):
    response = as_user(client, alice).post(
        reverse("accounts:team_create"), {"name": "Fraud", "description": "Payments"}
    )
    team = Team.objects.get(name="Fraud")
    assert response.status_code == 302
    assert response.url == team_url(team)
    assert roles(team) == {"alice": "owner"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 300])
def test_creating_a_team_with_a_bad_name_says_why_and_creates_nothing(client, alice, name):
    response = as_user(client, alice).post(reverse("accounts:team_create"), {"name": name})
    assert response.status_code == 400
    assert page(response).select(".field__errors li")
    assert not Team.objects.exists()


def test_creating_a_team_refuses_get(client, alice):
    assert as_user(client, alice).get(reverse("accounts:team_create")).status_code == 405


def test_anonymous_cannot_create_a_team(client, db):
    assert client.post(reverse("accounts:team_create"), {"name": "X"}).status_code == 302
    assert not Team.objects.exists()


# ---------- Team page ----------


def test_team_page_needs_a_signed_in_user(client, team_a):
    url = team_url(team_a)
    assert client.get(url).url == login_url_for(url)


def test_team_page_is_not_found_for_outsiders(client, cast, team_a):
    assert as_user(client, cast["carol"]).get(team_url(team_a)).status_code == 404


@pytest.mark.parametrize("name", MEMBERS_OF_A)
def test_team_page_shows_members_to_every_member_without_manage_controls(
    client, cast, team_a, name
):
    response = as_user(client, cast[name]).get(team_url(team_a))
    assert response.status_code == 200
    body = text(response)
    for username in ("alice", "bob", "eddie", "victor"):
        assert username in body
    soup = page(response)
    assert not soup.find("form", action=reverse("accounts:member_add", args=[team_a.id]))
    assert not soup.find("select", attrs={"name": "role"})


def test_team_page_gives_owners_the_member_controls(client, cast, team_a):
    response = as_user(client, cast["alice"]).get(team_url(team_a))
    soup = page(response)
    assert soup.find("form", action=reverse("accounts:member_add", args=[team_a.id]))
    assert soup.find("form", action=team_url(team_a, "accounts:member_role", "bob"))
    assert soup.find("form", action=team_url(team_a, "accounts:member_remove", "bob"))


@pytest.mark.parametrize(("name", "shown"), [("victor", False), ("bob", False), ("eddie", True)])
def test_team_page_offers_a_new_document_only_to_those_who_may_create(
    client, cast, team_a, name, shown
):
    response = as_user(client, cast[name]).get(team_url(team_a))
    link = f"{reverse('documents:create')}?team={team_a.id}"
    assert bool(page(response).find("a", href=link)) is shown


def test_team_page_lists_the_team_documents(client, cast, doc):
    response = as_user(client, cast["victor"]).get(team_url(doc.team))
    assert page(response).find("a", href=reverse("documents:detail", args=[doc.id]))


def test_team_page_without_documents_says_what_to_do(client, cast, team_a):
    response = as_user(client, cast["alice"]).get(team_url(team_a))
    assert "No documents yet" in text(response)


@pytest.mark.parametrize("path", ["/accounts/teams/not-a-uuid/", "/accounts/teams/123/"])
def test_team_page_with_a_malformed_id_is_not_found(client, alice, path):
    assert as_user(client, alice).get(path).status_code == 404


def test_team_page_of_an_unknown_team_is_not_found(client, alice):
    path = "/accounts/teams/00000000-0000-4000-8000-000000000000/"
    assert as_user(client, alice).get(path).status_code == 404


# ---------- Adding members ----------


@pytest.fixture
def nina(db):
    return make_user("nina")


def add(client, team, identifier, role="editor"):
    return client.post(
        reverse("accounts:member_add", args=[team.id]), {"user": identifier, "role": role}
    )


def test_anonymous_cannot_add_members(client, team_a, nina):
    response = add(client, team_a, "nina")
    assert response.status_code == 302
    assert "nina" not in roles(team_a)


def test_outsiders_cannot_add_members_and_learn_nothing(client, cast, team_a, nina):
    response = add(as_user(client, cast["carol"]), team_a, "nina")
    assert response.status_code == 404
    assert "nina" not in roles(team_a)


@pytest.mark.parametrize("name", MEMBERS_OF_A)
def test_members_below_owner_cannot_add_members(client, cast, team_a, nina, name):
    response = add(as_user(client, cast[name]), team_a, "nina")
    assert response.status_code == 403
    assert "nina" not in roles(team_a)


def test_owners_add_members_by_username(client, cast, team_a, nina):
    response = add(as_user(client, cast["alice"]), team_a, "nina", "reviewer")
    assert response.status_code == 302
    assert roles(team_a)["nina"] == "reviewer"


def test_owners_add_members_by_email(client, cast, team_a, nina):
    add(as_user(client, cast["alice"]), team_a, "NINA@example.com")
    assert roles(team_a)["nina"] == "editor"


def test_adding_someone_who_does_not_exist_says_so_and_changes_nothing(client, cast, team_a):
    before = roles(team_a)
    response = add(as_user(client, cast["alice"]), team_a, "ghost")
    assert response.status_code == 400
    assert "No user with the username or email “ghost”" in text(response)
    assert roles(team_a) == before


def test_adding_an_existing_member_says_so(client, cast, team_a):
    response = add(as_user(client, cast["alice"]), team_a, "bob", "owner")
    assert response.status_code == 400
    assert "bob is already a member of this team" in text(response)
    assert roles(team_a)["bob"] == "reviewer"


def test_adding_with_an_unknown_role_says_so(client, cast, team_a, nina):
    response = add(as_user(client, cast["alice"]), team_a, "nina", "admin")
    assert response.status_code == 400
    assert page(response).select(".field__errors li")
    assert "nina" not in roles(team_a)


def test_adding_members_refuses_get(client, cast, team_a):
    url = reverse("accounts:member_add", args=[team_a.id])
    assert as_user(client, cast["alice"]).get(url).status_code == 405


# ---------- Changing roles ----------


def change_role(client, team, username, role):
    return client.post(team_url(team, "accounts:member_role", username), {"role": role})


def test_anonymous_cannot_change_roles(client, cast, team_a):
    assert change_role(client, team_a, "bob", "owner").status_code == 302
    assert roles(team_a)["bob"] == "reviewer"


def test_outsiders_cannot_change_roles(client, cast, team_a):
    response = change_role(as_user(client, cast["carol"]), team_a, "bob", "owner")
    assert response.status_code == 404
    assert roles(team_a)["bob"] == "reviewer"


@pytest.mark.parametrize("name", MEMBERS_OF_A)
def test_members_below_owner_cannot_change_roles(client, cast, team_a, name):
    response = change_role(as_user(client, cast[name]), team_a, name, "owner")
    assert response.status_code == 403
    assert roles(team_a) == {
        "alice": "owner",
        "bob": "reviewer",
        "eddie": "editor",
        "victor": "viewer",
    }


def test_owners_change_roles(client, cast, team_a):
    response = change_role(as_user(client, cast["alice"]), team_a, "bob", "editor")
    assert response.status_code == 302
    assert roles(team_a)["bob"] == "editor"


def test_the_last_owner_cannot_step_down(client, cast, team_a):
    response = change_role(as_user(client, cast["alice"]), team_a, "alice", "editor")
    assert response.status_code == 400
    assert "A team needs at least one owner" in text(response)
    assert roles(team_a)["alice"] == "owner"


def test_changing_to_an_unknown_role_says_so(client, cast, team_a):
    response = change_role(as_user(client, cast["alice"]), team_a, "bob", "boss")
    assert response.status_code == 400
    assert "Nothing changed for bob" in text(response)
    assert roles(team_a)["bob"] == "reviewer"


def test_changing_the_role_of_a_non_member_is_not_found(client, cast, team_a):
    assert change_role(as_user(client, cast["alice"]), team_a, "carol", "editor").status_code == 404
    assert "carol" not in roles(team_a)


# ---------- Removing members ----------


def remove(client, team, username):
    return client.post(team_url(team, "accounts:member_remove", username))


def test_anonymous_cannot_remove_members(client, cast, team_a):
    assert remove(client, team_a, "bob").status_code == 302
    assert "bob" in roles(team_a)


def test_outsiders_cannot_remove_members(client, cast, team_a):
    assert remove(as_user(client, cast["carol"]), team_a, "bob").status_code == 404
    assert "bob" in roles(team_a)


@pytest.mark.parametrize("name", MEMBERS_OF_A)
def test_members_below_owner_cannot_remove_members(client, cast, team_a, name):
    assert remove(as_user(client, cast[name]), team_a, "victor").status_code == 403
    assert "victor" in roles(team_a)


def test_owners_remove_members(client, cast, team_a):
    response = remove(as_user(client, cast["alice"]), team_a, "victor")
    assert response.status_code == 302
    assert "victor" not in roles(team_a)


def test_the_last_owner_cannot_be_removed(client, cast, team_a):
    response = remove(as_user(client, cast["alice"]), team_a, "alice")
    assert response.status_code == 400
    assert "A team needs at least one owner" in text(response)
    assert roles(team_a)["alice"] == "owner"


def test_an_owner_who_leaves_goes_back_to_the_team_list(client, cast, team_a):
    Membership.objects.filter(team=team_a, user=cast["eddie"]).update(role="owner")
    response = remove(as_user(client, cast["alice"]), team_a, "alice")
    assert response.status_code == 302
    assert response.url == reverse("accounts:team_list")
    assert "alice" not in roles(team_a)


def test_removing_a_member_keeps_their_documents_in_the_team(client, cast, team_a):
    document = make_document(team_a, cast["eddie"])
    remove(as_user(client, cast["alice"]), team_a, "eddie")
    document.refresh_from_db()
    assert document.team == team_a
