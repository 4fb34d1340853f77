"""The cast, as in every test of the portal.

alice owns team A and writes the documents; bob reviews on team A; victor only views on team A;
eddie edits on team A; carol owns team B and must never see team A's work; anonymous is nobody.
"""

import os

import pytest

from tests.factories import make_document, make_team, make_user

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def eddie(db):
    return make_user("eddie")


@pytest.fixture
def victor(db):
    return make_user("victor")


@pytest.fixture
def carol(db):
    return make_user("carol")


@pytest.fixture
def team_a(alice, bob, eddie, victor):
    return make_team(
        "Ads ranking", {alice: "owner", bob: "reviewer", eddie: "editor", victor: "viewer"}
    )


@pytest.fixture
def team_b(carol):
    return make_team("Search quality", {carol: "owner"})


@pytest.fixture
def doc(team_a, alice):
    return make_document(team_a, alice)


@pytest.fixture
def cast(alice, bob, eddie, victor, carol, team_a, team_b):
    """Every user by name, for permission ladders."""
    return {"alice": alice, "bob": bob, "eddie": eddie, "victor": victor, "carol": carol}
