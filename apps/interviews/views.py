"""HTML pages of interview practice: the practice page with its clock, the control posts (which
work without JavaScript), inviting the interviewer, the interviewer's notes, the summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from apps.accounts.permissions import (
    can_drive_interview,
    can_edit_document,
    can_start_interview,
    get_interview_for_user,
    is_interviewer,
)
from apps.documents import fields
from apps.documents.selectors import document_sections
from apps.interviews import selectors, services
from apps.interviews.api import state_payload
from apps.interviews.forms import InviteForm, NextForm, NoteForm
from apps.interviews.models import InterviewSession

ACTIONS = {
    "start": services.interview_start,
    "next": services.interview_next,
    "pause": services.interview_pause,
    "resume": services.interview_resume,
    "finish": services.interview_finish,
}


def _practice(document):
    return redirect("interviews:practice", document.pk)


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _blocks_with_sections(state, sections, *, notes=None) -> None:
    """Attach to each block its section (answer, prompts) and, for the interviewer, a notes form."""
    by_key = {section.key: section for section in sections}
    for block in state.blocks:
        section = by_key.get(block.key)
        if section is not None:
            section.field_blocks = fields.display_blocks(section.spec.local_schema, section.data)
        block.section = section
        if notes is not None:
            note = notes.get(block.key)
            block.note_form = NoteForm(
                initial={"body": note.body if note else ""}, prefix=f"note-{block.key}"
            )
            block.note = note


def _strings() -> dict:
    """What interview.js writes on the page, translated."""
    return {
        "status": dict(InterviewSession.Status.choices),
        "phase": {key: str(label) for key, label in selectors.PHASE_LABELS.items()},
        "blockOf": _("Block {n} of {total}:"),
        "blockNudge": _("“{title}” is over its {budget} budget. Wrap up and move on."),
        "overallNudge": _("The interview is over its {budget} minutes. Go to the wrap-up."),
        "saving": _("Saving…"),
        "savedAt": _("Saved at {time}"),
        "saveFailed": _("Not saved: {reason}"),
        "offline": _("Cannot reach the server; retrying…"),
    }


@ensure_csrf_cookie
@login_required
def practice(request, doc_id):
    """The clock of the practice: nine blocks with budgets, the current one highlighted."""
    document, session = get_interview_for_user(request.user, doc_id)
    sections = list(document_sections(document))
    state = selectors.interview_state(document, session, sections=sections)
    interviewer_mode = is_interviewer(request.user, document, session)
    notes = selectors.interviewer_notes(session, request.user) if interviewer_mode else None
    _blocks_with_sections(state, sections, notes=notes)
    flags = selectors.interview_permissions(request.user, document, session)
    context = {
        "document": document,
        "session": session,
        "state": state,
        "interviewer_mode": interviewer_mode,
        "drills": (document.template.local_meta or {}).get("follow_up_drills") or []
        if interviewer_mode
        else [],
        "can_edit": can_edit_document(request.user, document) and not document.is_archived,
        "next_form": NextForm(initial={"block": state.current.key if state.current else ""}),
        **flags,
        "may_control": flags["can_start"] or flags["can_drive"] or flags["is_interviewer"],
        "strings": _strings(),
        "config": {
            "state": state_payload(state, flags),
            "stateUrl": reverse("api:document-interview", args=[document.pk]),
            "actionUrls": {
                action: reverse(f"api:document-interview-{action}", args=[document.pk])
                for action in ACTIONS
            },
            "notesUrl": reverse("api:document-interview-note", args=[document.pk, "KEY"]),
            "summaryUrl": reverse("interviews:summary", args=[document.pk]),
        },
    }
    return render(request, "interviews/practice.html", context)


@require_POST
@login_required
def control(request, doc_id, action):
    """Start, move to the next block, pause, resume or finish (the page's buttons post here)."""
    service = ACTIONS.get(action)
    if service is None:
        raise Http404("Not found.")
    document, _session = get_interview_for_user(request.user, doc_id)
    kwargs = {}
    if action == "next":
        form = NextForm(request.POST)
        kwargs["from_block"] = form.cleaned_data["block"] if form.is_valid() else ""
    try:
        service(document=document, user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _practice(document)
    if action == "finish":
        messages.success(request, _("Interview finished. Here is how the time went."))
        return redirect("interviews:summary", document.pk)
    return _practice(document)


@login_required
def invite(request, doc_id):
    """Invite a teammate as the interviewer (the candidate or the document owner)."""
    document, session = get_interview_for_user(request.user, doc_id)
    services.interviewer_invite_allowed(document=document, session=session, user=request.user)
    members = [
        m for m in selectors.interviewer_choices(document, session) if m.user_id != request.user.pk
    ]
    form = InviteForm(request.POST if request.method == "POST" else None, members=members)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                session = services.interviewer_invite(
                    document=document,
                    user=request.user,
                    username=form.cleaned_data["interviewer"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is the interviewer. They open this page to see the clock.")
                    % {"name": session.interviewer.username},
                )
                return _practice(document)
    elif session is not None and session.interviewer:
        form = InviteForm(initial={"interviewer": session.interviewer.username}, members=members)
    context = {"document": document, "session": session, "form": form, "members": members}
    return render(request, "interviews/invite.html", context, status=status)


@require_POST
@login_required
def note_save(request, doc_id, key):
    """Save the interviewer's private note on a block (the page saves as you type with JS)."""
    document, session = get_interview_for_user(request.user, doc_id, notes=True)
    block = next((b for b in session.blocks.all() if b.key == key), None)
    if block is None:
        raise Http404("Not found.")
    form = NoteForm(request.POST, prefix=f"note-{key}")
    if form.is_valid():
        try:
            services.interview_note_save(
                document=document, user=request.user, block_key=key, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Notes saved."))
            return redirect(reverse("interviews:practice", args=[document.pk]) + f"#block-{key}")
    context = {"document": document, "note_block": block, "form": form}
    return render(request, "interviews/note.html", context, status=400)


@login_required
def summary(request, doc_id):
    """After the interview: the actual time per block against its budget, scoring and the PDF."""
    document, session = get_interview_for_user(request.user, doc_id)
    state = selectors.interview_state(document, session)
    interviewer_mode = is_interviewer(request.user, document, session)
    notes = selectors.interviewer_notes(session, request.user) if interviewer_mode else {}
    for block in state.blocks:
        block.note = notes.get(block.key)
    context = {
        "document": document,
        "session": session,
        "state": state,
        "interviewer_mode": interviewer_mode,
        "can_drive": can_drive_interview(request.user, document, session),
        "can_start": can_start_interview(request.user, document, session),
    }
    return render(request, "interviews/summary.html", context)
