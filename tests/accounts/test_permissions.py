"""The access rules: the role table, and the fetchers that turn it into 404 and 403."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.accounts.models import Team
from apps.accounts.permissions import (
    Need,
    can_comment_document,
    can_create_document,
    can_edit_document,
    can_manage_team,
    can_view_document,
    can_view_team,
    get_document_for_user,
    get_team_for_user,
    role_allows,
)
from apps.documents.models import Document
from tests.factories import add_member, make_document, make_team, make_user

ACTORS = ["owner", "editor", "reviewer", "viewer", "non-member", "anonymous"]
CAST_BY_ROLE = {
    "owner": "alice",
    "editor": "eddie",
    "reviewer": "bob",
    "viewer": "victor",
    "non-member": "carol",
}

#                               owner  editor reviewer viewer non-member anonymous
ROLE_TABLE = {
    can_view_team: [True, True, True, True, False, False],
    can_create_document: [True, True, False, False, False, False],
    can_manage_team: [True, False, False, False, False, False],
    can_view_document: [True, True, True, True, False, False],
    can_edit_document: [True, True, False, False, False, False],
    can_comment_document: [True, True, True, True, False, False],
}
TEAM_PREDICATES = {can_view_team, can_create_document, can_manage_team}

#             owner  editor reviewer viewer
NEED_TABLE = {
    Need.VIEW: [True, True, True, True],
    Need.COMMENT: [True, True, True, True],
    Need.REVIEW: [True, True, True, False],
    Need.EDIT: [True, True, False, False],
    Need.MANAGE: [True, False, False, False],
}
MEMBER_ROLES = ["owner", "editor", "reviewer", "viewer"]


@pytest.fixture
def actor_for(cast):
    def actor(role: str):
        return AnonymousUser() if role == "anonymous" else cast[CAST_BY_ROLE[role]]

    return actor


ROLE_TABLE_CASES = [
    pytest.param(predicate, role, expected, id=f"{predicate.__name__}-{role}")
    for predicate, answers in ROLE_TABLE.items()
    for role, expected in zip(ACTORS, answers, strict=True)
]
NEED_TABLE_CASES = [
    pytest.param(need, role, expected, id=f"{need.value}-{role}")
    for need, answers in NEED_TABLE.items()
    for role, expected in zip(MEMBER_ROLES, answers, strict=True)
]


@pytest.mark.parametrize("predicate, role, expected", ROLE_TABLE_CASES)
def test_the_role_table_gives_each_role_its_answer(
    actor_for, team_a, doc, predicate, role, expected
):
    user = actor_for(role)
    subject = (
        Team.objects.get(pk=team_a.pk)
        if predicate in TEAM_PREDICATES
        else Document.objects.get(pk=doc.pk)
    )

    assert predicate(user, subject) is expected


@pytest.mark.parametrize("predicate, role, expected", ROLE_TABLE_CASES)
def test_the_role_table_holds_on_a_document_from_the_fetcher_too(
    actor_for, team_a, doc, predicate, role, expected
):
    """The role the fetcher caches belongs to its user: another user gets their own answer."""
    fetched = get_document_for_user(actor_for("owner"), doc.id)
    subject = fetched.team if predicate in TEAM_PREDICATES else fetched

    assert predicate(actor_for(role), subject) is expected


@pytest.mark.parametrize("need", list(Need))
def test_nobody_without_a_role_is_allowed_anything(need):
    assert role_allows(None, need) is False


def test_a_member_of_two_teams_has_the_role_of_each_team(cast, team_a, team_b, doc):
    bob = cast["bob"]
    add_member(team_b, bob, "editor")
    doc_b = make_document(team_b, cast["carol"], template=doc.template)

    assert can_edit_document(bob, Document.objects.get(pk=doc_b.pk))
    assert not can_edit_document(bob, Document.objects.get(pk=doc.pk))
    assert can_comment_document(bob, Document.objects.get(pk=doc.pk))


def test_the_team_role_cache_is_per_user(cast, team_a):
    team = Team.objects.get(pk=team_a.pk)

    assert can_manage_team(cast["alice"], team)
    assert not can_manage_team(cast["victor"], team)
    assert not can_manage_team(cast["carol"], team)
    assert can_manage_team(cast["alice"], team)


# get_document_for_user


@pytest.mark.parametrize("need, role, allowed", NEED_TABLE_CASES)
def test_get_document_for_user_allows_or_forbids_each_need(actor_for, doc, need, role, allowed):
    user = actor_for(role)

    if allowed:
        assert get_document_for_user(user, doc.id, need=need) == doc
    else:
        with pytest.raises(PermissionDenied):
            get_document_for_user(user, doc.id, need=need)


@pytest.mark.parametrize("need", list(Need))
@pytest.mark.parametrize("role", ["non-member", "anonymous"])
def test_get_document_for_user_hides_the_document_from_outsiders(actor_for, doc, role, need):
    with pytest.raises(Http404):
        get_document_for_user(actor_for(role), doc.id, need=need)


@pytest.mark.parametrize(
    "doc_id",
    ["nope", 123, None, "", "123e4567-e89b-12d3-a456-42661417400", {"id": 1}, uuid.uuid4()],
    ids=["word", "int", "none", "empty", "short-uuid", "dict", "unknown-uuid"],
)
@pytest.mark.parametrize("role", ["owner", "anonymous"])
def test_get_document_for_user_answers_404_to_a_malformed_or_unknown_id(
    actor_for, doc, role, doc_id
):
    with pytest.raises(Http404):
        get_document_for_user(actor_for(role), doc_id)


def test_get_document_for_user_accepts_the_id_as_a_string(cast, doc):
    assert get_document_for_user(cast["victor"], str(doc.id)) == doc


def test_get_document_for_user_fetches_in_one_query_and_predicates_then_cost_nothing(
    cast, doc, django_assert_num_queries
):
    alice = cast["alice"]

    with django_assert_num_queries(1):
        fetched = get_document_for_user(alice, doc.id, need=Need.EDIT)

    with django_assert_num_queries(0):
        assert fetched.team.name == "Ads ranking"
        assert fetched.template.key == "tiny"
        assert fetched.created_by.username == "alice"
        assert can_view_document(alice, fetched)
        assert can_edit_document(alice, fetched)
        assert can_comment_document(alice, fetched)
        assert can_view_team(alice, fetched.team)
        assert can_create_document(alice, fetched.team)
        assert can_manage_team(alice, fetched.team)


def test_predicates_on_a_fetched_document_cost_nothing_for_a_viewer(
    cast, doc, django_assert_num_queries
):
    victor = cast["victor"]
    fetched = get_document_for_user(victor, doc.id)

    with django_assert_num_queries(0):
        assert can_view_document(victor, fetched)
        assert can_comment_document(victor, fetched)
        assert not can_edit_document(victor, fetched)
        assert not can_manage_team(victor, fetched.team)


def test_a_denied_fetch_leaves_the_document_unchanged(cast, doc):
    before = Document.objects.get(pk=doc.pk)

    with pytest.raises(PermissionDenied):
        get_document_for_user(cast["victor"], doc.id, need=Need.EDIT)

    doc.refresh_from_db()
    assert (doc.title, doc.updated_at, doc.archived_at) == (
        before.title,
        before.updated_at,
        before.archived_at,
    )


def test_get_document_for_user_finds_an_archived_document_for_members(cast, doc):
    Document.objects.filter(pk=doc.pk).update(archived_at="2024-01-01T00:00:00Z")

    assert get_document_for_user(cast["victor"], doc.id).is_archived


# get_team_for_user


@pytest.mark.parametrize("need, role, allowed", NEED_TABLE_CASES)
def test_get_team_for_user_allows_or_forbids_each_need(actor_for, team_a, need, role, allowed):
    user = actor_for(role)

    if allowed:
        assert get_team_for_user(user, team_a.id, need=need) == team_a
    else:
        with pytest.raises(PermissionDenied):
            get_team_for_user(user, team_a.id, need=need)


@pytest.mark.parametrize("need", list(Need))
@pytest.mark.parametrize("role", ["non-member", "anonymous"])
def test_get_team_for_user_hides_the_team_from_outsiders(actor_for, team_a, role, need):
    with pytest.raises(Http404):
        get_team_for_user(actor_for(role), team_a.id, need=need)


@pytest.mark.parametrize(
    "team_id",
    ["nope", 123, None, "", {"id": 1}, uuid.uuid4()],
    ids=["word", "int", "none", "empty", "dict", "unknown-uuid"],
)
@pytest.mark.parametrize("role", ["owner", "anonymous"])
def test_get_team_for_user_answers_404_to_a_malformed_or_unknown_id(
    actor_for, team_a, role, team_id
):
    with pytest.raises(Http404):
        get_team_for_user(actor_for(role), team_id)


def test_get_team_for_user_fetches_in_one_query_and_predicates_then_cost_nothing(
    cast, team_a, django_assert_num_queries
):
    eddie = cast["eddie"]

    with django_assert_num_queries(1):
        team = get_team_for_user(eddie, str(team_a.id), need=Need.EDIT)

    with django_assert_num_queries(0):
        assert team.name == "Ads ranking"
        assert can_view_team(eddie, team)
        assert can_create_document(eddie, team)
        assert not can_manage_team(eddie, team)


def test_a_denied_team_fetch_leaves_the_team_unchanged(cast, team_a):
    with pytest.raises(PermissionDenied):
        get_team_for_user(cast["eddie"], team_a.id, need=Need.MANAGE)

    team_a.refresh_from_db()
    assert team_a.name == "Ads ranking"
    assert team_a.memberships.get(user=cast["eddie"]).role == "editor"


# visible_to


def test_a_user_in_two_teams_sees_documents_of_both_and_never_a_third_teams(cast, doc, team_b):
    bob = cast["bob"]
    add_member(team_b, bob, "viewer")
    doc_b = make_document(team_b, cast["carol"], template=doc.template, title="Query rewriting")
    outsider = make_user("olga")
    team_c = make_team("Recommendations", {outsider: "owner"})
    doc_c = make_document(team_c, outsider, template=doc.template, title="Next item")

    visible = set(Document.objects.visible_to(bob))

    assert visible == {doc, doc_b}
    assert doc_c not in visible
    assert set(Team.objects.for_user(bob)) == {Document.objects.get(pk=doc.pk).team, team_b}


def test_visible_to_shows_a_non_member_only_their_own_teams_documents(cast, doc, team_b):
    doc_b = make_document(team_b, cast["carol"], template=doc.template)

    assert list(Document.objects.visible_to(cast["carol"])) == [doc_b]


def test_visible_to_shows_an_anonymous_user_nothing(doc):
    assert not Document.objects.visible_to(AnonymousUser()).exists()
    assert not Team.objects.for_user(AnonymousUser()).exists()


def test_visible_to_lists_each_document_once(cast, doc):
    team_a = doc.team
    make_document(team_a, cast["alice"], template=doc.template, title="Second")

    visible = list(Document.objects.visible_to(cast["alice"]))

    assert len(visible) == len(set(visible)) == 2
