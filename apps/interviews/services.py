"""Writes of interview practice: start, move on, pause, resume, finish, invite, notes.

Every write locks the session row and reads the clock once (`timezone.now()`), so two people
pressing "next" at the same moment move the interview one block, not two, and every block's
time is exact to the microsecond. Each control action also writes an `InterviewEvent`.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import (
    can_be_interviewer,
    can_drive_interview,
    can_invite_interviewer,
    can_start_interview,
    is_interviewer,
)
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.interviews.models import (
    NOTE_MAX_CHARS,
    InterviewBlock,
    InterviewEvent,
    InterviewNote,
    InterviewSession,
    is_interview_document,
)
from apps.interviews.selectors import interview_plan

Status = InterviewSession.Status
Action = InterviewEvent.Action
USERNAME_MAX_CHARS = 150


def _ensure_open(document: Document) -> None:
    if document.is_archived:
        raise ValidationError(_("This document is archived: restore it first."))


def _locked_session(document: Document) -> InterviewSession | None:
    """The document's session, locked, with its blocks in order (None if there is none yet).

    The document row is locked first, so two people creating the session at once queue up
    instead of colliding on the one-session-per-document constraint."""
    list(Document.objects.select_for_update().filter(pk=document.pk).values_list("pk"))
    session = (
        InterviewSession.objects.select_for_update(of=("self",))
        .select_related("candidate", "interviewer")
        .filter(document=document)
        .first()
    )
    if session is not None:
        session.document = document
        session.block_list = list(InterviewBlock.objects.filter(session=session))
    return session


def _create(document: Document) -> InterviewSession:
    """A ready session with one block per timed section of the document."""
    if not is_interview_document(document):
        raise ValidationError(_("Only documents made from an interview template are practised."))
    plan = interview_plan(document_sections(document))
    if not plan:
        raise ValidationError(_("This document has no timed blocks to practise."))
    session = InterviewSession.objects.create(document=document)
    session.document = document
    session.block_list = InterviewBlock.objects.bulk_create(
        InterviewBlock(
            session=session,
            key=row.key,
            position=row.position,
            title=row.title,
            budget_seconds=row.budget_seconds,
        )
        for row in plan
    )
    return session


def _event(session: InterviewSession, *, action: str, actor, now) -> None:
    current = session.block_list[session.current_index] if session.is_started else None
    InterviewEvent.objects.create(
        session=session,
        action=action,
        actor=actor,
        at=now,
        block_key=current.key if current else "",
    )


def _bank(session: InterviewSession, block: InterviewBlock, now) -> None:
    """Add the running segment to `block` and, if the clock runs on, start a new segment."""
    block.elapsed += session.live_seconds(now)
    if session.status == Status.RUNNING:
        session.running_since = now


def _ensure_driver(user, document: Document, session: InterviewSession | None) -> None:
    if session is None or not session.is_started:
        if can_start_interview(user, document, session) or is_interviewer(user, document, session):
            raise ValidationError(_("Start the interview first."))
        raise PermissionDenied(_("Only the candidate and the interviewer move the clock."))
    if not can_drive_interview(user, document, session):
        raise PermissionDenied(_("Only the candidate and the interviewer move the clock."))
    if session.status == Status.FINISHED:
        raise ValidationError(_("This interview is finished."))


def _save(session: InterviewSession, *blocks: InterviewBlock) -> InterviewSession:
    session.save()
    for block in blocks:
        block.save(update_fields=["elapsed", "entered_at", "left_at"])
    return session


@transaction.atomic
def interview_start(*, document: Document, user) -> InterviewSession:
    """Start the clock on the first block; `user` (an editor or owner) becomes the candidate."""
    session = _locked_session(document)
    if session is not None and session.is_started:
        if can_drive_interview(user, document, session):
            raise ValidationError(_("This interview has already started."))
        raise PermissionDenied(_("This interview has already started with another candidate."))
    if not can_start_interview(user, document, session):
        raise PermissionDenied(_("Editors and owners start the practice, never its interviewer."))
    _ensure_open(document)
    if session is None:
        session = _create(document)
    now = timezone.now()
    first = session.block_list[0]
    first.entered_at = now
    session.status = Status.RUNNING
    session.candidate = user
    session.current_index = 0
    session.started_at = now
    session.running_since = now
    _save(session, first)
    _event(session, action=Action.START, actor=user, now=now)
    return session


@transaction.atomic
def interview_next(*, document: Document, user, from_block: str = "") -> InterviewSession:
    """Close the current block and open the next one. `from_block` is the block the caller
    saw as current: if someone else moved on meanwhile, nothing moves twice."""
    session = _locked_session(document)
    _ensure_driver(user, document, session)
    _ensure_open(document)
    blocks = session.block_list
    current = blocks[session.current_index]
    if from_block and from_block != current.key:
        raise ValidationError(
            {
                "block": _("The interview has already moved on to “%(title)s”.")
                % {"title": current.title}
            }
        )
    if session.current_index >= len(blocks) - 1:
        raise ValidationError(_("This is the last block: finish the interview instead."))
    now = timezone.now()
    _bank(session, current, now)
    current.left_at = now
    following = blocks[session.current_index + 1]
    following.entered_at = following.entered_at or now
    session.current_index += 1
    _save(session, current, following)
    _event(session, action=Action.NEXT, actor=user, now=now)
    return session


@transaction.atomic
def interview_pause(*, document: Document, user) -> InterviewSession:
    """Stop the clock; the current block keeps the time it has."""
    session = _locked_session(document)
    _ensure_driver(user, document, session)
    _ensure_open(document)
    if session.status != Status.RUNNING:
        raise ValidationError(_("The clock is already paused."))
    now = timezone.now()
    current = session.block_list[session.current_index]
    _bank(session, current, now)
    session.status = Status.PAUSED
    session.running_since = None
    _save(session, current)
    _event(session, action=Action.PAUSE, actor=user, now=now)
    return session


@transaction.atomic
def interview_resume(*, document: Document, user) -> InterviewSession:
    """Run the clock again from where it was paused."""
    session = _locked_session(document)
    _ensure_driver(user, document, session)
    _ensure_open(document)
    if session.status != Status.PAUSED:
        raise ValidationError(_("The clock is already running."))
    now = timezone.now()
    session.status = Status.RUNNING
    session.running_since = now
    _save(session)
    _event(session, action=Action.RESUME, actor=user, now=now)
    return session


@transaction.atomic
def interview_finish(*, document: Document, user) -> InterviewSession:
    """Stop the clock for good: the current block closes, later blocks stay not reached."""
    session = _locked_session(document)
    _ensure_driver(user, document, session)
    _ensure_open(document)
    now = timezone.now()
    current = session.block_list[session.current_index]
    _bank(session, current, now)
    current.left_at = now
    session.status = Status.FINISHED
    session.running_since = None
    session.finished_at = now
    _save(session, current)
    _event(session, action=Action.FINISH, actor=user, now=now)
    return session


def interviewer_invite_allowed(*, document: Document, session, user) -> None:
    """PermissionDenied unless `user` may invite the interviewer (the candidate, or the document
    owner)."""
    if not can_invite_interviewer(user, document, session):
        raise PermissionDenied(_("The candidate or the document owner invites the interviewer."))


@transaction.atomic
def interviewer_invite(*, document: Document, user, username: str) -> InterviewSession:
    """Make the member `username` the interviewer (replacing anyone invited before). A ready
    session is created when nobody has started or invited yet."""
    username = (username or "").strip()
    if not username:
        raise ValidationError({"interviewer": _("Choose the member who interviews you.")})
    if len(username) > USERNAME_MAX_CHARS:
        raise ValidationError({"interviewer": _("No member has that username.")})
    session = _locked_session(document)
    interviewer_invite_allowed(document=document, session=session, user=user)
    _ensure_open(document)
    invitee = get_user_model().objects.filter(username=username).first()
    if invitee is not None and invitee.pk == user.pk:
        raise ValidationError(
            {"interviewer": _("Invite someone else: nobody interviews themselves.")}
        )
    if invitee is not None and session is not None and invitee.pk == session.candidate_id:
        raise ValidationError({"interviewer": _("The candidate cannot be the interviewer.")})
    if invitee is None or not can_be_interviewer(invitee, document, session):
        raise ValidationError(
            {"interviewer": _("Choose a member of this team who can read the document.")}
        )
    if session is None:
        session = _create(document)
    now = timezone.now()
    session.interviewer = invitee
    session.save(update_fields=["interviewer", "updated_at"])
    _event(session, action=Action.INVITE, actor=user, now=now)
    return session


@transaction.atomic
def interview_note_save(*, document: Document, user, block_key: str, body: str) -> InterviewNote:
    """Save the interviewer's private note on one block (an empty body keeps an empty note)."""
    session = _locked_session(document)
    if not is_interviewer(user, document, session):
        raise PermissionDenied(_("Only the interviewer writes interview notes."))
    _ensure_open(document)
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"body": _("Keep it to %(n)s characters or fewer.") % {"n": f"{NOTE_MAX_CHARS:,}"}}
        )
    block = next((b for b in session.block_list if b.key == block_key), None)
    if block is None:
        raise ValidationError({"block": _("This interview has no such block.")})
    note, _created = InterviewNote.objects.update_or_create(
        block=block, author=user, defaults={"body": body}
    )
    return note
