"""Interview services: every happy path, and every refusal with nothing changed.

alice (owner, the document's author) is the candidate unless a test says otherwise; bob
(reviewer) is the interviewer; eddie edits; victor views; carol is on team B.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.documents.services import document_archive, document_create
from apps.interviews import selectors, services
from apps.interviews.models import InterviewBlock, InterviewEvent, InterviewNote, InterviewSession
from tests.factories import make_document, make_template, make_user

pytestmark = pytest.mark.django_db


def rows():
    """Everything the interviews app stores, to prove a refusal changed nothing."""
    return (
        list(InterviewSession.objects.values().order_by("pk")),
        list(InterviewBlock.objects.values().order_by("pk")),
        list(InterviewEvent.objects.values().order_by("pk")),
        list(InterviewNote.objects.values().order_by("pk")),
    )


def refused(error, call, **kwargs):
    """`call(**kwargs)` raises `error` and leaves every row as it was."""
    before = rows()
    with pytest.raises(error) as caught:
        call(**kwargs)
    assert rows() == before
    return caught.value


@pytest.fixture
def started(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(seconds=30)
    return doc


# --- start ----------------------------------------------------------------------------------


def test_the_author_starts_and_becomes_the_candidate(doc, alice, clock):
    session = services.interview_start(document=doc, user=alice)
    session = InterviewSession.objects.get(document=doc)
    assert session.status == "running" and session.candidate == alice
    assert session.current_index == 0 and session.started_at == clock.now
    assert InterviewBlock.objects.filter(session=session).count() == 9
    assert list(session.events.values_list("action", flat=True)) == ["start"]


def test_an_editor_may_be_the_candidate_of_someone_elses_document(doc, eddie):
    services.interview_start(document=doc, user=eddie)
    assert InterviewSession.objects.get().candidate == eddie


@pytest.mark.parametrize("who", ["victor", "bob"])
def test_members_who_cannot_edit_do_not_start(doc, cast, who):
    refused(PermissionDenied, services.interview_start, document=doc, user=cast[who])
    assert not InterviewSession.objects.exists()


def test_the_invited_interviewer_does_not_start(doc, alice, eddie):
    services.interviewer_invite(document=doc, user=alice, username="eddie")
    refused(PermissionDenied, services.interview_start, document=doc, user=eddie)


def test_a_started_interview_does_not_start_again(started, alice, eddie):
    error = refused(ValidationError, services.interview_start, document=started, user=alice)
    assert "already started" in error.messages[0]
    refused(PermissionDenied, services.interview_start, document=started, user=eddie)


def test_an_archived_document_is_not_practised(doc, alice):
    document_archive(document=doc)
    refused(ValidationError, services.interview_start, document=doc, user=alice)


def test_a_document_of_another_template_is_not_practised(team_a, alice):
    other = make_document(team_a, alice, template=make_template("other"))
    error = refused(ValidationError, services.interview_start, document=other, user=alice)
    assert "interview template" in error.messages[0]


# --- next, pause, resume, finish --------------------------------------------------------------


def test_the_candidate_and_the_interviewer_both_move_the_clock(started, alice, bob):
    services.interview_next(document=started, user=alice, from_block="clarify")
    services.interview_next(document=started, user=bob)
    services.interview_pause(document=started, user=bob)
    services.interview_resume(document=started, user=alice)
    services.interview_finish(document=started, user=bob)
    session = InterviewSession.objects.get()
    assert (session.status, session.current_index) == ("finished", 2)
    assert session.running_since is None and session.finished_at is not None


@pytest.mark.parametrize("who", ["eddie", "victor"])
def test_other_members_only_watch(started, cast, who):
    for call in [
        services.interview_next,
        services.interview_pause,
        services.interview_finish,
    ]:
        refused(PermissionDenied, call, document=started, user=cast[who])


def test_moving_before_the_start_is_refused(doc, alice, victor):
    error = refused(ValidationError, services.interview_next, document=doc, user=alice)
    assert error.messages == ["Start the interview first."]
    refused(PermissionDenied, services.interview_next, document=doc, user=victor)


def test_next_from_a_block_that_is_no_longer_current_moves_nothing(started, alice, bob):
    """The candidate and the interviewer press "next" on the same block at once."""
    services.interview_next(document=started, user=bob, from_block="clarify")
    error = refused(
        ValidationError,
        services.interview_next,
        document=started,
        user=alice,
        from_block="clarify",
    )
    assert "metrics" not in error.message_dict["block"][0]
    assert "Metrics" in error.message_dict["block"][0]
    assert InterviewSession.objects.get().current_index == 1


def test_there_is_no_block_after_the_last(started, alice):
    for _ in range(8):
        services.interview_next(document=started, user=alice)
    error = refused(ValidationError, services.interview_next, document=started, user=alice)
    assert "finish" in error.messages[0]


def test_pause_resume_and_finish_refuse_the_wrong_state(started, alice):
    refused(ValidationError, services.interview_resume, document=started, user=alice)
    services.interview_pause(document=started, user=alice)
    refused(ValidationError, services.interview_pause, document=started, user=alice)
    services.interview_finish(document=started, user=alice)
    for call in [
        services.interview_next,
        services.interview_pause,
        services.interview_resume,
        services.interview_finish,
    ]:
        error = refused(ValidationError, call, document=started, user=alice)
        assert error.messages == ["This interview is finished."]


def test_an_archived_documents_clock_does_not_move(started, alice):
    document_archive(document=started)
    started.refresh_from_db()
    refused(ValidationError, services.interview_next, document=started, user=alice)


# --- invite ---------------------------------------------------------------------------------


def test_the_candidate_invites_a_teammate_who_can_read_the_document(started, alice, victor):
    services.interviewer_invite(document=started, user=alice, username="victor")
    session = InterviewSession.objects.get()
    assert session.interviewer == victor
    assert session.events.filter(action="invite").count() == 2


def test_an_invitation_before_the_start_prepares_the_session(doc, alice, bob):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    session = InterviewSession.objects.get()
    assert session.status == "ready" and session.candidate is None and session.interviewer == bob
    assert session.blocks.count() == 9


def test_the_team_owner_invites_for_an_editors_interview(doc, alice, eddie, bob):
    services.interview_start(document=doc, user=eddie)
    services.interviewer_invite(document=doc, user=alice, username="bob")
    assert InterviewSession.objects.get().interviewer == bob


def test_only_the_candidate_or_the_owner_invites(started, eddie, victor):
    refused(
        PermissionDenied,
        services.interviewer_invite,
        document=started,
        user=eddie,
        username="victor",
    )
    refused(
        PermissionDenied,
        services.interviewer_invite,
        document=started,
        user=victor,
        username="eddie",
    )


def test_a_viewer_cannot_invite_before_the_start_either(doc, victor):
    refused(
        PermissionDenied, services.interviewer_invite, document=doc, user=victor, username="bob"
    )


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Choose the member"),
        ("x" * 151, "No member"),
        ("nobody", "Choose a member of this team"),
        ("carol", "Choose a member of this team"),
        ("alice", "nobody interviews themselves"),
    ],
)
def test_the_interviewer_must_be_another_member_who_reads_it(
    started, alice, carol, username, message
):
    error = refused(
        ValidationError,
        services.interviewer_invite,
        document=started,
        user=alice,
        username=username,
    )
    assert message in error.message_dict["interviewer"][0]


def test_the_candidate_is_never_the_interviewer(doc, alice, eddie):
    services.interview_start(document=doc, user=eddie)
    error = refused(
        ValidationError, services.interviewer_invite, document=doc, user=alice, username="eddie"
    )
    assert error.message_dict["interviewer"] == ["The candidate cannot be the interviewer."]


def test_an_inactive_member_is_not_invited(started, alice, victor):
    victor.is_active = False
    victor.save()
    refused(
        ValidationError,
        services.interviewer_invite,
        document=started,
        user=alice,
        username="victor",
    )


def test_a_private_documents_interviewer_is_someone_who_may_read_it(
    team_a, alice, bob, interview_template
):
    owner = make_user("olga")
    team_a.memberships.create(user=owner, role="owner")
    private = document_create(
        team=team_a, template=interview_template, title="Mine", created_by=bob, private_to=bob
    )
    services.interview_start(document=private, user=alice)
    refused(
        ValidationError, services.interviewer_invite, document=private, user=alice, username="eddie"
    )
    services.interviewer_invite(document=private, user=alice, username="olga")
    assert InterviewSession.objects.get(document=private).interviewer == owner


# --- notes ----------------------------------------------------------------------------------


def test_the_interviewer_writes_and_rewrites_a_private_note(started, bob):
    services.interview_note_save(
        document=started, user=bob, block_key="clarify", body="Clear.\r\nAsked about scale. "
    )
    note = services.interview_note_save(
        document=started, user=bob, block_key="clarify", body="Clear; asked about scale."
    )
    assert InterviewNote.objects.get() == note and note.body == "Clear; asked about scale."
    session = selectors.interview_session_get(started)
    assert set(selectors.interviewer_notes(session, bob)) == {"clarify"}


@pytest.mark.parametrize("who", ["alice", "eddie", "victor"])
def test_nobody_but_the_interviewer_writes_notes(started, cast, who):
    refused(
        PermissionDenied,
        services.interview_note_save,
        document=started,
        user=cast[who],
        block_key="clarify",
        body="Peek.",
    )


def test_a_note_is_bounded_and_belongs_to_a_block(started, bob):
    error = refused(
        ValidationError,
        services.interview_note_save,
        document=started,
        user=bob,
        block_key="clarify",
        body="x" * 5001,
    )
    assert "5,000" in error.message_dict["body"][0]
    refused(
        ValidationError,
        services.interview_note_save,
        document=started,
        user=bob,
        block_key="nope",
        body="Hm.",
    )


def test_a_replaced_interviewer_loses_access_and_their_notes_stay_theirs(
    started, alice, bob, victor
):
    services.interview_note_save(document=started, user=bob, block_key="clarify", body="Bob's.")
    services.interviewer_invite(document=started, user=alice, username="victor")
    refused(
        PermissionDenied,
        services.interview_note_save,
        document=started,
        user=bob,
        block_key="clarify",
        body="Again.",
    )
    session = selectors.interview_session_get(started)
    assert selectors.interviewer_notes(session, victor) == {}
    assert InterviewNote.objects.get().body == "Bob's."


def test_notes_are_never_written_into_the_document(started, bob):
    before = list(started.sections.values_list("key", "body_md", "data", "version"))
    services.interview_note_save(document=started, user=bob, block_key="model", body="Secret.")
    assert list(started.sections.values_list("key", "body_md", "data", "version")) == before
