"""The interview API: state, control actions, invite, notes — the ladder on every endpoint,
field errors for bad input, the notes' privacy, constant query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.interviews import services
from apps.interviews.models import InterviewNote, InterviewSession
from tests.interviews.conftest import T0
from tests.interviews.test_services import rows
from tests.interviews.test_views import SECRET, _grow

pytestmark = pytest.mark.django_db

ACTIONS = ["start", "next", "pause", "resume", "finish"]


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def url(doc, tail=""):
    return f"/api/v1/documents/{doc.pk}/interview/{tail}"


@pytest.fixture
def started(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(minutes=1, seconds=30)
    return doc


def every_route(doc):
    return [
        ("get", ""),
        *(("post", f"{action}/") for action in ACTIONS),
        ("post", "interviewer/"),
        ("get", "notes/"),
        ("put", "notes/clarify/"),
    ]


# --- the ladder -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "carol"])
def test_outsiders_get_nothing_on_every_endpoint(api, cast, started, who):
    before = rows()
    if who == "carol":
        as_user(api, cast["carol"])
    for method, tail in every_route(started):
        response = getattr(api, method)(url(started, tail), {"interviewer": "carol"}, format="json")
        assert response.status_code == (404 if who == "carol" else 401), (method, tail)
        assert set(response.json()) == {"detail", "errors"}
    assert rows() == before


def test_a_viewer_reads_the_state_and_is_refused_everything_else(api, victor, started):
    as_user(api, victor)
    before = rows()
    assert api.get(url(started)).status_code == 200
    for method, tail in every_route(started)[1:]:
        response = getattr(api, method)(url(started, tail), {"interviewer": "eddie"}, format="json")
        assert response.status_code == 403, (method, tail)
    assert rows() == before


def test_the_candidate_runs_the_clock_but_never_touches_the_notes(api, alice, started):
    as_user(api, alice)
    assert api.post(url(started, "next/"), {"block": "clarify"}, format="json").status_code == 200
    assert api.post(url(started, "pause/")).status_code == 200
    assert api.post(url(started, "resume/")).status_code == 200
    assert api.get(url(started, "notes/")).status_code == 403
    response = api.put(url(started, "notes/clarify/"), {"body": "mine"}, format="json")
    assert response.status_code == 403 and not InterviewNote.objects.exists()
    assert api.post(url(started, "finish/")).json()["status"] == "finished"


def test_the_interviewer_drives_the_clock_and_keeps_notes(api, bob, started):
    as_user(api, bob)
    state = api.post(url(started, "next/"), {}, format="json").json()
    assert state["current_block"] == "metrics" and state["permissions"]["is_interviewer"]
    response = api.put(
        url(started, "notes/clarify/"), {"body": "Asked about scale."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["block"] == "clarify" and response.json()["updated_at"]
    notes = api.get(url(started, "notes/")).json()
    assert len(notes) == 9 and notes[0]["body"] == "Asked about scale."
    assert notes[1] == {"block": "metrics", "title": "Metrics", "body": "", "updated_at": None}


def test_an_editor_who_is_not_the_candidate_only_watches(api, eddie, started):
    as_user(api, eddie)
    state = api.get(url(started)).json()
    assert state["permissions"] == {
        "can_start": False,
        "can_drive": False,
        "can_invite": False,
        "is_interviewer": False,
    }
    assert api.post(url(started, "next/"), {}, format="json").status_code == 403


def test_a_document_of_another_template_has_no_interview(api, alice, team_a):
    from tests.factories import make_document

    other = make_document(team_a, alice)
    assert as_user(api, alice).get(url(other)).status_code == 404


# --- state ----------------------------------------------------------------------------------


def test_the_state_carries_everything_a_clock_needs(api, alice, started, clock):
    state = as_user(api, alice).get(url(started)).json()
    assert state["status"] == "running" and state["running"] is True
    assert state["server_time"] == "2026-03-02T09:01:30Z"
    assert state["started_at"] == "2026-03-02T09:00:00Z"
    assert state["current_block"] == "clarify"
    assert state["elapsed_seconds"] == 90.0 and state["budget_seconds"] == 2700
    assert state["candidate"] == "alice" and state["interviewer"] == "bob"
    first = state["blocks"][0]
    assert first == {
        "key": "clarify",
        "title": "Clarify the problem and requirements",
        "number": 1,
        "phase": "current",
        "budget_seconds": 300,
        "planned_start_seconds": 0,
        "elapsed_seconds": 90.0,
        "actual_min": 1.5,
        "over_seconds": 0.0,
        "entered_at": "2026-03-02T09:00:00Z",
        "left_at": None,
    }
    assert state["permissions"]["can_drive"] and not state["permissions"]["can_start"]


def test_the_state_is_the_same_on_every_read_at_the_same_moment(api, alice, bob, started):
    first = as_user(api, alice).get(url(started)).json()
    again = as_user(api, alice).get(url(started)).json()
    assert first == again
    watcher = as_user(api, bob).get(url(started)).json()
    assert {k: v for k, v in watcher.items() if k != "permissions"} == {
        k: v for k, v in first.items() if k != "permissions"
    }


def test_before_anyone_starts_the_state_is_the_plan(api, victor, doc):
    state = as_user(api, victor).get(url(doc)).json()
    assert state["status"] == "ready" and state["current_block"] is None
    assert [b["planned_start_seconds"] for b in state["blocks"]][:3] == [0, 300, 540]
    assert not InterviewSession.objects.exists()


def test_start_answers_with_the_running_state(api, alice, doc, clock):
    response = as_user(api, alice).post(url(doc, "start/"))
    assert response.status_code == 200
    assert response.json()["status"] == "running" and response.json()["candidate"] == "alice"
    assert InterviewSession.objects.get().started_at == T0


# --- bad input ------------------------------------------------------------------------------


def test_a_stale_next_is_a_400_on_the_block_field(api, alice, bob, started):
    as_user(api, bob).post(url(started, "next/"), {"block": "clarify"}, format="json")
    before = rows()
    response = as_user(api, alice).post(url(started, "next/"), {"block": "clarify"}, format="json")
    assert response.status_code == 400
    assert "already moved on" in response.json()["errors"]["block"][0]
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"block": "not a slug!"}, "block"), ({"block": "x" * 65}, "block")],
)
def test_a_malformed_next_is_a_400(api, alice, started, body, field):
    before = rows()
    response = as_user(api, alice).post(url(started, "next/"), body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert rows() == before


def test_a_wrong_state_is_a_400_not_a_500(api, alice, started):
    response = as_user(api, alice).post(url(started, "resume/"))
    assert response.status_code == 400 and response.json()["detail"]
    response = api.post(url(started, "start/"))
    assert response.status_code == 400 and "already started" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"interviewer": ""},
        {"interviewer": "carol"},
        {"interviewer": "x" * 151},
        {"interviewer": "alice"},
        {"interviewer": ["bob"]},
    ],
)
def test_a_bad_invitation_is_a_400_on_the_interviewer_field(api, alice, carol, started, body):
    before = rows()
    response = as_user(api, alice).post(url(started, "interviewer/"), body, format="json")
    assert response.status_code == 400 and "interviewer" in response.json()["errors"]
    assert rows() == before


def test_the_candidate_invites_through_the_api(api, alice, victor, started):
    response = as_user(api, alice).post(
        url(started, "interviewer/"), {"interviewer": "victor"}, format="json"
    )
    assert response.status_code == 200 and response.json()["interviewer"] == "victor"


@pytest.mark.parametrize("body", [{}, {"body": "x" * 5001}, {"body": None}, {"body": ["a"]}])
def test_a_bad_note_is_a_400_on_the_body_field(api, bob, started, body):
    response = as_user(api, bob).put(url(started, "notes/clarify/"), body, format="json")
    assert response.status_code == 400 and "body" in response.json()["errors"]
    assert not InterviewNote.objects.exists()


def test_a_note_on_an_unknown_block_is_a_404(api, bob, started):
    response = as_user(api, bob).put(url(started, "notes/nope/"), {"body": "?"}, format="json")
    assert response.status_code == 404


# --- the notes never leak ---------------------------------------------------------------------


def test_no_answer_to_the_candidate_ever_carries_the_notes(api, alice, bob, started):
    services.interview_note_save(document=started, user=bob, block_key="clarify", body=SECRET)
    as_user(api, alice)
    answers = [
        api.get(url(started)),
        api.post(url(started, "pause/")),
        api.get(f"/api/v1/documents/{started.pk}/"),
        api.get(f"/api/v1/documents/{started.pk}/sections/clarify/"),
        api.get(url(started, "notes/")),
    ]
    for response in answers:
        assert SECRET not in response.content.decode(), response.request["PATH_INFO"]
    assert "note" not in json.dumps(answers[0].json()).lower()


# --- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "victor"])
def test_the_state_reads_in_a_constant_number_of_queries(
    api, cast, started, clock, who, django_assert_num_queries
):
    as_user(api, cast[who])
    with CaptureQueriesContext(connection) as small:
        assert api.get(url(started)).status_code == 200
    _grow(started, cast["alice"], cast["bob"], clock)
    with django_assert_num_queries(len(small.captured_queries)):
        assert api.get(url(started)).status_code == 200


def test_the_notes_read_in_a_constant_number_of_queries(
    api, bob, alice, started, clock, django_assert_num_queries
):
    as_user(api, bob)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url(started, "notes/")).status_code == 200
    _grow(started, alice, bob, clock)
    with django_assert_num_queries(len(small.captured_queries)):
        assert api.get(url(started, "notes/")).status_code == 200


@pytest.mark.parametrize("body", [{}, {"interviewer": "victor"}])
def test_only_the_candidate_or_the_owner_invites_whatever_the_body(api, eddie, started, body):
    before = rows()
    response = as_user(api, eddie).post(url(started, "interviewer/"), body, format="json")
    assert response.status_code == 403
    assert rows() == before
