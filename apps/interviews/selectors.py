"""Reads of interview practice shared by the pages, the API and the PDF export.

`compute_state` is the clock: pure arithmetic over the stored rows and a `now`, so the same rows
give the same clock on every page, in every browser, after every reload.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Membership
from apps.accounts.permissions import (
    can_be_interviewer,
    can_drive_interview,
    can_invite_interviewer,
    can_start_interview,
    document_readers,
    is_interviewer,
)
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.interviews.models import ZERO, InterviewBlock, InterviewNote, InterviewSession

Status = InterviewSession.Status
PHASE_LABELS = {
    "upcoming": gettext_lazy("Up next"),
    "current": gettext_lazy("Now"),
    "done": gettext_lazy("Done"),
    "not_reached": gettext_lazy("Not reached"),
}


def clock_text(seconds: float) -> str:
    """Seconds on a clock face: 0:00, 4:05, 47:30 (minutes are not wrapped into hours)."""
    whole = int(max(seconds, 0))
    return f"{whole // 60}:{whole % 60:02d}"


def signed_clock_text(seconds: float) -> str:
    """A difference from a budget: +1:20 over, −0:40 under, 0:00 on time."""
    if int(abs(seconds)) == 0:
        return "0:00"
    return ("+" if seconds > 0 else "−") + clock_text(abs(seconds))


@dataclass
class PlannedBlock:
    """A block as the template plans it: what a session copies when it is created."""

    key: str
    title: str
    position: int
    budget_seconds: int


@dataclass
class BlockState:
    key: str
    title: str
    position: int
    budget_seconds: int
    planned_start_seconds: int
    elapsed_seconds: float
    # upcoming, current, done, or not_reached (the interview finished before it).
    phase: str
    entered_at: datetime | None = None
    left_at: datetime | None = None

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def phase_label(self) -> str:
        return str(PHASE_LABELS[self.phase])

    @property
    def planned_end_seconds(self) -> int:
        return self.planned_start_seconds + self.budget_seconds

    @property
    def budget_min(self) -> float:
        return self.budget_seconds / 60

    @property
    def actual_min(self) -> float | None:
        """Minutes spent, to a tenth (the template's optional `actual_min`); None if not reached."""
        if self.phase in {"upcoming", "not_reached"} and not self.elapsed_seconds:
            return None
        return round(self.elapsed_seconds / 60, 1)

    @property
    def over_seconds(self) -> float:
        return max(self.elapsed_seconds - self.budget_seconds, 0.0)

    @property
    def is_over(self) -> bool:
        return self.elapsed_seconds > self.budget_seconds

    @property
    def difference_seconds(self) -> float:
        return self.elapsed_seconds - self.budget_seconds

    @property
    def is_current(self) -> bool:
        return self.phase == "current"

    @property
    def elapsed_text(self) -> str:
        return clock_text(self.elapsed_seconds)

    @property
    def budget_text(self) -> str:
        return clock_text(self.budget_seconds)

    @property
    def planned_start_text(self) -> str:
        return clock_text(self.planned_start_seconds)

    @property
    def planned_end_text(self) -> str:
        return clock_text(self.planned_end_seconds)

    @property
    def difference_text(self) -> str:
        return signed_clock_text(self.difference_seconds)


@dataclass
class InterviewState:
    status: str
    server_time: datetime
    blocks: list[BlockState]
    current_index: int | None
    elapsed_seconds: float
    budget_seconds: int
    started_at: datetime | None = None
    finished_at: datetime | None = None
    running_since: datetime | None = None
    candidate: object = None
    interviewer: object = None
    session: InterviewSession | None = field(default=None, repr=False, compare=False)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_running(self) -> bool:
        return self.status == Status.RUNNING

    @property
    def is_started(self) -> bool:
        return self.status != Status.READY

    @property
    def is_finished(self) -> bool:
        return self.status == Status.FINISHED

    @property
    def current(self) -> BlockState | None:
        return self.blocks[self.current_index] if self.current_index is not None else None

    @property
    def is_last_block(self) -> bool:
        return self.current_index is not None and self.current_index == len(self.blocks) - 1

    @property
    def overrun_seconds(self) -> float:
        return max(self.elapsed_seconds - self.budget_seconds, 0.0)

    @property
    def elapsed_text(self) -> str:
        return clock_text(self.elapsed_seconds)

    @property
    def budget_text(self) -> str:
        return clock_text(self.budget_seconds)

    @property
    def budget_minutes(self) -> int:
        return round(self.budget_seconds / 60)

    @property
    def overrun_text(self) -> str:
        return clock_text(self.overrun_seconds)

    @property
    def difference_text(self) -> str:
        return signed_clock_text(self.elapsed_seconds - self.budget_seconds)

    @property
    def over_blocks(self) -> list[BlockState]:
        return [b for b in self.blocks if b.is_over]


def _budget_seconds(spec) -> int | None:
    minutes = (spec.meta or {}).get("time_budget_min")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        return None
    return round(minutes * 60)


def interview_plan(sections) -> list[PlannedBlock]:
    """The timed blocks of a document: its sections whose spec has a `time_budget_min`."""
    plan = []
    for section in sections:
        budget = _budget_seconds(section.spec)
        if budget is not None:
            plan.append(
                PlannedBlock(
                    key=section.key,
                    title=section.spec.title,
                    position=len(plan),
                    budget_seconds=budget,
                )
            )
    return plan


def compute_state(
    session: InterviewSession | None,
    *,
    now: datetime,
    plan: list[PlannedBlock] | None = None,
    blocks: list[InterviewBlock] | None = None,
) -> InterviewState:
    """The clock at `now` from the stored rows (or from the plan, before any session)."""
    if session is None:
        rows = plan or []
        states, start = [], 0
        for row in rows:
            states.append(
                BlockState(
                    key=row.key,
                    title=row.title,
                    position=row.position,
                    budget_seconds=row.budget_seconds,
                    planned_start_seconds=start,
                    elapsed_seconds=0.0,
                    phase="upcoming",
                )
            )
            start += row.budget_seconds
        return InterviewState(
            status=Status.READY,
            server_time=now,
            blocks=states,
            current_index=None,
            elapsed_seconds=0.0,
            budget_seconds=start,
        )

    blocks = list(session.blocks.all()) if blocks is None else blocks
    live = session.live_seconds(now)
    started = session.is_started
    current = session.current_index if started else None
    states, start, total = [], 0, ZERO
    for index, block in enumerate(blocks):
        elapsed = block.elapsed + (live if index == current else ZERO)
        total += elapsed
        if current is None:
            phase = "upcoming"
        elif index < current:
            phase = "done"
        elif index == current:
            phase = "done" if session.status == Status.FINISHED else "current"
        else:
            phase = "not_reached" if session.status == Status.FINISHED else "upcoming"
        states.append(
            BlockState(
                key=block.key,
                title=block.title,
                position=block.position,
                budget_seconds=block.budget_seconds,
                planned_start_seconds=start,
                elapsed_seconds=_seconds(elapsed),
                phase=phase,
                entered_at=block.entered_at,
                left_at=block.left_at,
            )
        )
        start += block.budget_seconds
    return InterviewState(
        status=session.status,
        server_time=now,
        blocks=states,
        current_index=current if session.is_live else None,
        elapsed_seconds=_seconds(total),
        budget_seconds=start,
        started_at=session.started_at,
        finished_at=session.finished_at,
        running_since=session.running_since,
        candidate=session.candidate,
        interviewer=session.interviewer,
        session=session,
    )


def _seconds(delta: timedelta) -> float:
    return round(delta.total_seconds(), 3)


def interview_state(
    document: Document, session: InterviewSession | None, *, sections=None, now=None
) -> InterviewState:
    """The clock of `document`'s practice now: from its session, or the template's plan."""
    now = now or timezone.now()
    if session is None:
        sections = document_sections(document) if sections is None else sections
        return compute_state(None, now=now, plan=interview_plan(sections))
    return compute_state(session, now=now)


def interview_session_get(document: Document) -> InterviewSession | None:
    """The document's session with its people and blocks (two queries), or None."""
    session = (
        InterviewSession.objects.select_related("candidate", "interviewer")
        .prefetch_related("blocks")
        .filter(document=document)
        .first()
    )
    if session is not None:
        session.document = document
    return session


def interview_permissions(user, document: Document, session: InterviewSession | None) -> dict:
    """What `user` may do on the practice page, as booleans for templates and the API."""
    return {
        "can_start": can_start_interview(user, document, session),
        "can_drive": can_drive_interview(user, document, session),
        "can_invite": can_invite_interviewer(user, document, session),
        "is_interviewer": is_interviewer(user, document, session),
    }


def interviewer_notes(session: InterviewSession | None, user) -> dict[str, InterviewNote]:
    """`user`'s own notes on the session's blocks, by block key. Callers ask only for the
    interviewer: notes are never read on anyone else's behalf."""
    if session is None or not user.is_authenticated:
        return {}
    notes = InterviewNote.objects.filter(block__session=session, author=user).select_related(
        "block"
    )
    return {note.block.key: note for note in notes}


def interviewer_choices(document: Document, session: InterviewSession | None) -> list[Membership]:
    """Members who may be invited as interviewer: they read the document, not the candidate."""
    members = list(
        Membership.objects.filter(team=document.team_id, user__in=document_readers(document))
        .select_related("user")
        .order_by("user__username")
    )
    # Each member's role is known here: the predicate need not look it up once per member.
    roles = document.team.__dict__.setdefault("_roles", {})
    for member in members:
        roles.setdefault(member.user_id, member.role)
    return [m for m in members if can_be_interviewer(m.user, document, session)]


def interview_export(document: Document) -> dict | None:
    """The timing of the document's practice interview, for the PDF: each block's budget and
    actual time, and the totals. None before the interview started. Never the notes."""
    session = (
        InterviewSession.objects.select_related("candidate", "interviewer")
        .filter(document=document)
        .exclude(status=Status.READY)
        .first()
    )
    if session is None:
        return None
    state = compute_state(session, now=timezone.now())
    return {
        "status": state.status,
        "status_label": str(state.status_label),
        "candidate": state.candidate.username if state.candidate else "",
        "interviewer": state.interviewer.username if state.interviewer else "",
        "blocks": [
            {
                "number": block.number,
                "title": block.title,
                "budget": block.budget_text,
                "actual": block.elapsed_text if block.actual_min is not None else "",
                "difference": block.difference_text if block.actual_min is not None else "",
                "over": block.is_over,
            }
            for block in state.blocks
        ],
        "budget": state.budget_text,
        "actual": state.elapsed_text,
        "difference": state.difference_text,
        "over": state.overrun_seconds > 0,
        "note": "" if state.is_finished else _("The interview was still running at export."),
    }
