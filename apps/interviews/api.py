"""REST API of interview practice (mounted under /api/v1/documents/<id>/interview/).

The state is the clock computed on the server at `server_time`: a client adds the time since it
received the answer while `running`, and asks again every few seconds. Control actions answer
with the new state. Notes are the interviewer's alone: every other caller gets a 403 and no
state answer ever carries them.
"""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import get_interview_for_user
from apps.interviews import selectors, services
from apps.interviews.models import NOTE_MAX_CHARS, InterviewNote, InterviewSession
from apps.interviews.services import USERNAME_MAX_CHARS

# --- output ---------------------------------------------------------------------------------


class BlockOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    number = serializers.IntegerField()
    phase = serializers.ChoiceField(
        choices=["upcoming", "current", "done", "not_reached"],
        help_text="`not_reached`: the interview finished before this block.",
    )
    budget_seconds = serializers.IntegerField()
    planned_start_seconds = serializers.IntegerField(help_text="When the plan starts it (0:00…).")
    elapsed_seconds = serializers.FloatField(help_text="Time on the clock in this block so far.")
    actual_min = serializers.FloatField(allow_null=True, help_text="To a tenth; null if unreached.")
    over_seconds = serializers.FloatField()
    entered_at = serializers.DateTimeField(allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)


class PermissionsOutput(serializers.Serializer):
    can_start = serializers.BooleanField()
    can_drive = serializers.BooleanField(help_text="May move to the next block, pause, finish.")
    can_invite = serializers.BooleanField()
    is_interviewer = serializers.BooleanField()


class StateOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=InterviewSession.Status.values)
    status_label = serializers.CharField()
    running = serializers.BooleanField(source="is_running")
    server_time = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    current_block = serializers.CharField(source="current.key", allow_null=True, default=None)
    elapsed_seconds = serializers.FloatField(help_text="Time on the clock, pauses excluded.")
    budget_seconds = serializers.IntegerField()
    overrun_seconds = serializers.FloatField()
    candidate = serializers.CharField(source="candidate.username", allow_null=True, default=None)
    interviewer = serializers.CharField(
        source="interviewer.username", allow_null=True, default=None
    )
    blocks = BlockOutput(many=True)
    permissions = PermissionsOutput(help_text="What you may do.")


def state_payload(state, flags: dict) -> dict:
    """The state answer for one user: the clock and what they may do with it."""
    state.permissions = flags
    return StateOutput(state).data


class NoteOutput(serializers.Serializer):
    block = serializers.CharField(source="block.key")
    title = serializers.CharField(source="block.title")
    body = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)


# --- input ----------------------------------------------------------------------------------


class NextInput(serializers.Serializer):
    block = serializers.SlugField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The block you saw as current: if someone moved on meanwhile, nothing moves.",
    )


class InviteInput(serializers.Serializer):
    interviewer = serializers.CharField(max_length=USERNAME_MAX_CHARS, help_text="A username.")


class NoteInput(serializers.Serializer):
    body = serializers.CharField(max_length=NOTE_MAX_CHARS, allow_blank=True, trim_whitespace=False)


# --- views ----------------------------------------------------------------------------------


def state_response(request, document) -> Response:
    """The state as `request.user` sees it, read again from the database."""
    session = selectors.interview_session_get(document)
    state = selectors.interview_state(document, session)
    flags = selectors.interview_permissions(request.user, document, session)
    return Response(state_payload(state, flags))


class InterviewStateApi(APIView):
    @extend_schema(responses=StateOutput)
    def get(self, request, doc_id):
        """The practice clock: blocks, budgets, actual times, the current block, server time."""
        document, session = get_interview_for_user(request.user, doc_id)
        state = selectors.interview_state(document, session)
        flags = selectors.interview_permissions(request.user, document, session)
        return Response(state_payload(state, flags))


class _ControlApi(APIView):
    service = None

    @extend_schema(request=None, responses=StateOutput)
    def post(self, request, doc_id):
        document, _session = get_interview_for_user(request.user, doc_id)
        self.service(document=document, user=request.user)
        return state_response(request, document)


class InterviewStartApi(_ControlApi):
    """Start the clock on the first block; you become the candidate (editors and owners)."""

    service = staticmethod(services.interview_start)


class InterviewPauseApi(_ControlApi):
    """Pause the clock (the candidate or the interviewer)."""

    service = staticmethod(services.interview_pause)


class InterviewResumeApi(_ControlApi):
    """Run the clock again (the candidate or the interviewer)."""

    service = staticmethod(services.interview_resume)


class InterviewFinishApi(_ControlApi):
    """Stop the clock for good (the candidate or the interviewer)."""

    service = staticmethod(services.interview_finish)


class InterviewNextApi(APIView):
    @extend_schema(request=NextInput, responses=StateOutput)
    def post(self, request, doc_id):
        """Close the current block and open the next (the candidate or the interviewer)."""
        document, _session = get_interview_for_user(request.user, doc_id)
        data = NextInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.interview_next(
            document=document, user=request.user, from_block=data.validated_data.get("block", "")
        )
        return state_response(request, document)


class InterviewerInviteApi(APIView):
    @extend_schema(request=InviteInput, responses=StateOutput)
    def post(self, request, doc_id):
        """Invite a teammate who can read the document as the interviewer (the candidate or
        the document owner); it replaces anyone invited before."""
        document, session = get_interview_for_user(request.user, doc_id)
        services.interviewer_invite_allowed(document=document, session=session, user=request.user)
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.interviewer_invite(
            document=document, user=request.user, username=data.validated_data["interviewer"]
        )
        return state_response(request, document)


def _notes(session, user) -> list:
    """One row per block, the interviewer's note or an empty one."""
    mine = selectors.interviewer_notes(session, user)
    return [
        mine.get(block.key) or InterviewNote(block=block, author=user, body="")
        for block in session.blocks.all()
    ]


class InterviewNotesApi(APIView):
    @extend_schema(responses=NoteOutput(many=True))
    def get(self, request, doc_id):
        """Your notes on every block, as the interviewer (nobody else reads them)."""
        _document, session = get_interview_for_user(request.user, doc_id, notes=True)
        return Response(NoteOutput(_notes(session, request.user), many=True).data)


class InterviewNoteApi(APIView):
    @extend_schema(request=NoteInput, responses=NoteOutput)
    def put(self, request, doc_id, key):
        """Save your note on one block, as the interviewer."""
        document, session = get_interview_for_user(request.user, doc_id, notes=True)
        if not any(block.key == key for block in session.blocks.all()):
            raise Http404("Not found.")
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.interview_note_save(
            document=document, user=request.user, block_key=key, body=data.validated_data["body"]
        )
        return Response(NoteOutput(note).data)


doc = "documents/<uuid:doc_id>/interview/"
urlpatterns = [
    path(doc, InterviewStateApi.as_view(), name="document-interview"),
    path(f"{doc}start/", InterviewStartApi.as_view(), name="document-interview-start"),
    path(f"{doc}next/", InterviewNextApi.as_view(), name="document-interview-next"),
    path(f"{doc}pause/", InterviewPauseApi.as_view(), name="document-interview-pause"),
    path(f"{doc}resume/", InterviewResumeApi.as_view(), name="document-interview-resume"),
    path(f"{doc}finish/", InterviewFinishApi.as_view(), name="document-interview-finish"),
    path(
        f"{doc}interviewer/", InterviewerInviteApi.as_view(), name="document-interview-interviewer"
    ),
    path(f"{doc}notes/", InterviewNotesApi.as_view(), name="document-interview-notes"),
    path(f"{doc}notes/<slug:key>/", InterviewNoteApi.as_view(), name="document-interview-note"),
]
