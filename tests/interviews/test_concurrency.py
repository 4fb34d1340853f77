"""On PostgreSQL, the candidate and the interviewer pressing "next" at the same moment move the
interview one block, and two people starting it at once make one session.

Each thread has its own connection, so the row locks the services take meet real concurrency;
SQLite serializes writers and cannot show it (skipped locally without PostgreSQL, a failure in
CI).
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from apps.interviews import services
from apps.interviews.models import InterviewEvent, InterviewSession
from tests.conftest import need_service

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 10


@pytest.fixture
def pg(db):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL for real row locks (set DATABASE_URL)")


def race(*works):
    """Run every `work` in its own thread and connection, released at the same moment."""
    start = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def run(index, work):
        try:
            start.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # the test inspects every outcome
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_presses_of_next_on_the_same_block_move_one_block(pg, doc, alice, bob):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    keys = [block.key for block in InterviewSession.objects.get().blocks.all()]
    for index in range(min(ROUNDS, len(keys) - 1)):
        seen = keys[index]
        results = race(
            lambda seen=seen: services.interview_next(document=doc, user=alice, from_block=seen),
            lambda seen=seen: services.interview_next(document=doc, user=bob, from_block=seen),
        )
        moved = [r for r in results if isinstance(r, InterviewSession)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(moved) == 1 and len(refused) == 1, results
        assert "block" in refused[0].message_dict
        assert InterviewSession.objects.get().current_index == index + 1
    assert InterviewEvent.objects.filter(action="next").count() == len(keys) - 1


def test_two_people_starting_at_once_make_one_session(pg, doc, alice, eddie):
    results = race(
        lambda: services.interview_start(document=doc, user=alice),
        lambda: services.interview_start(document=doc, user=eddie),
    )
    started = [r for r in results if isinstance(r, InterviewSession)]
    assert len(started) == 1, results
    assert isinstance(next(r for r in results if r not in started), PermissionDenied)
    session = InterviewSession.objects.get()
    assert session.candidate == started[0].candidate and session.blocks.count() == 9
    assert InterviewEvent.objects.filter(action="start").count() == 1
