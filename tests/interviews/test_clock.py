"""The clock: what the state says at a given moment, computed from the stored rows only.

Time is controlled: `clock` patches `django.utils.timezone.now`, so the services stamp the
moments the test chooses and the state is asked for at moments the test chooses.
"""

import pytest

from apps.interviews import selectors, services
from apps.interviews.models import InterviewBlock, InterviewEvent, InterviewSession
from tests.interviews.conftest import T0

pytestmark = pytest.mark.django_db

BUDGETS = [300, 240, 360, 180, 540, 420, 300, 240, 120]
KEYS = [
    "clarify", "metrics", "data", "baseline", "model", "serving", "ab_test", "monitoring",
    "wrap_up",
]  # fmt: skip


def state_now(doc):
    """The state exactly as a page computes it after a reload: everything read again."""
    return selectors.interview_state(doc, selectors.interview_session_get(doc))


def elapsed(state):
    return [b.elapsed_seconds for b in state.blocks]


def test_before_the_start_the_plan_shows_nine_blocks_summing_to_45_minutes(doc):
    state = state_now(doc)
    assert state.status == "ready" and state.current is None
    assert [b.key for b in state.blocks] == KEYS
    assert [b.budget_seconds for b in state.blocks] == BUDGETS
    assert state.budget_seconds == 45 * 60 and state.budget_text == "45:00"
    starts = [b.planned_start_text for b in state.blocks]
    assert starts == ["0:00", "5:00", "9:00", "15:00", "18:00", "27:00", "34:00", "39:00", "43:00"]
    assert all(b.phase == "upcoming" and b.actual_min is None for b in state.blocks)


def test_the_planned_starts_match_the_templates_starts_at(doc):
    """The template writes starts as h:mm ("0:05"); the clock counts them as seconds."""
    specs = {s.key: s.spec.meta for s in doc.sections.select_related("spec")}
    for block in state_now(doc).blocks:
        hours, minutes = specs[block.key]["starts_at"].split(":")
        assert block.planned_start_seconds == (int(hours) * 60 + int(minutes)) * 60


def test_the_current_block_counts_from_the_start(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=95.5)
    state = state_now(doc)
    assert state.status == "running" and state.is_running
    assert state.current.key == "clarify" and state.current.phase == "current"
    assert state.current.elapsed_seconds == 95.5 and state.elapsed_seconds == 95.5
    assert state.current.elapsed_text == "1:35" and state.server_time == T0.replace(
        minute=1, second=35, microsecond=500_000
    )
    assert state.started_at == T0


def test_next_closes_a_block_with_its_exact_time_and_opens_the_next(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    clock.advance(minutes=6, seconds=10)
    services.interview_next(document=doc, user=alice)
    clock.advance(seconds=30)
    state = state_now(doc)
    first, second = state.blocks[:2]
    assert (first.phase, first.elapsed_seconds, first.actual_min) == ("done", 370.0, 6.2)
    assert first.is_over and first.over_seconds == 70 and first.difference_text == "+1:10"
    assert (second.phase, second.elapsed_seconds) == ("current", 30.0)
    assert state.elapsed_seconds == 400.0
    block = InterviewBlock.objects.get(session__document=doc, key="clarify")
    assert block.entered_at == T0 and block.left_at == T0.replace(minute=6, second=10)


def test_a_pause_stops_the_clock_and_a_resume_runs_it_from_where_it_was(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=60)
    services.interview_pause(document=doc, user=alice)
    clock.advance(minutes=10)
    paused = state_now(doc)
    assert paused.status == "paused" and not paused.is_running
    assert paused.current.elapsed_seconds == 60.0 and paused.elapsed_seconds == 60.0
    services.interview_resume(document=doc, user=alice)
    clock.advance(seconds=15)
    assert state_now(doc).current.elapsed_seconds == 75.0


def test_moving_on_while_paused_keeps_the_clock_paused(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=40)
    services.interview_pause(document=doc, user=alice)
    clock.advance(seconds=100)
    services.interview_next(document=doc, user=alice)
    clock.advance(seconds=100)
    state = state_now(doc)
    assert state.status == "paused" and state.current.key == "metrics"
    assert elapsed(state)[:2] == [40.0, 0.0]
    services.interview_resume(document=doc, user=alice)
    clock.advance(seconds=5)
    assert elapsed(state_now(doc))[:2] == [40.0, 5.0]


def test_the_timer_state_after_a_reload_equals_the_state_before(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(minutes=4, seconds=59.25)
    services.interview_next(document=doc, user=bob)
    clock.advance(minutes=5, seconds=1.125)
    session = services.interview_next(document=doc, user=alice)
    clock.advance(seconds=33.3)
    # The state from the rows the service just wrote, in memory...
    before = selectors.compute_state(session, now=clock.now, blocks=session.block_list)
    # ...and after a "reload": a new request reads everything from the database.
    after = state_now(doc)
    assert after == before
    assert after.current.key == "data" and after.current.elapsed_seconds == 33.3
    assert elapsed(after)[:3] == [299.25, 301.125, 33.3]
    # And it keeps counting from there, not from the reload.
    clock.advance(seconds=10)
    assert state_now(doc).current.elapsed_seconds == 43.3


def test_finishing_fixes_every_time_and_leaves_later_blocks_not_reached(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    for minutes in [5, 4, 6]:
        clock.advance(minutes=minutes)
        services.interview_next(document=doc, user=alice)
    clock.advance(minutes=2)
    services.interview_finish(document=doc, user=alice)
    clock.advance(minutes=30)
    state = state_now(doc)
    assert state.status == "finished" and state.current is None and state.is_finished
    assert elapsed(state) == [300.0, 240.0, 360.0, 120.0, 0, 0, 0, 0, 0]
    assert [b.phase for b in state.blocks] == ["done"] * 4 + ["not_reached"] * 5
    assert [b.actual_min for b in state.blocks][3:5] == [2.0, None]
    assert state.elapsed_text == "17:00" and state.finished_at == T0.replace(minute=17)
    assert state.overrun_seconds == 0


def test_the_whole_interview_overruns_when_its_blocks_take_more_than_45_minutes(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    for _ in range(8):
        clock.advance(minutes=5, seconds=45)
        services.interview_next(document=doc, user=alice)
    clock.advance(minutes=1)
    state = state_now(doc)
    assert state.elapsed_seconds == 8 * 345 + 60 == 2820
    assert state.overrun_seconds == 120 and state.overrun_text == "2:00"
    assert state.is_last_block and state.current.key == "wrap_up"
    over = {b.key for b in state.over_blocks}
    assert over == {"clarify", "metrics", "baseline", "ab_test", "monitoring"}


def test_every_transition_is_an_event_with_the_servers_time(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=10)
    services.interview_pause(document=doc, user=bob)
    clock.advance(seconds=10)
    services.interview_resume(document=doc, user=alice)
    clock.advance(seconds=10)
    services.interview_next(document=doc, user=bob)
    clock.advance(seconds=10)
    services.interview_finish(document=doc, user=alice)
    events = list(
        InterviewEvent.objects.filter(session__document=doc).values_list(
            "action", "block_key", "actor__username", "at"
        )
    )
    t = [T0.replace(second=s) for s in (0, 0, 10, 20, 30, 40)]
    assert events == [
        ("invite", "", "alice", t[0]),
        ("start", "clarify", "alice", t[1]),
        ("pause", "clarify", "bob", t[2]),
        ("resume", "clarify", "alice", t[3]),
        ("next", "metrics", "bob", t[4]),
        ("finish", "metrics", "alice", t[5]),
    ]
    assert elapsed(state_now(doc))[:2] == [20.0, 10.0]


def test_a_clock_that_moved_backwards_never_shows_negative_time(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=-5)
    assert state_now(doc).current.elapsed_seconds == 0.0


def test_a_block_without_a_budget_is_not_a_timed_block(doc):
    sections = list(doc.sections.select_related("spec"))
    sections[0].spec.meta = {}
    plan = selectors.interview_plan(sections)
    assert [p.key for p in plan] == KEYS[1:] and [p.position for p in plan] == list(range(8))


def test_clock_faces():
    assert selectors.clock_text(0) == "0:00"
    assert selectors.clock_text(59.99) == "0:59"
    assert selectors.clock_text(3725) == "62:05"
    assert selectors.signed_clock_text(70) == "+1:10"
    assert selectors.signed_clock_text(-40) == "−0:40"
    assert selectors.signed_clock_text(0.4) == "0:00"


def test_the_session_row_always_agrees_with_its_status(doc, alice, clock):
    services.interview_start(document=doc, user=alice)
    session = InterviewSession.objects.get()
    assert session.running_since == T0
    services.interview_pause(document=doc, user=alice)
    session.refresh_from_db()
    assert session.running_since is None
