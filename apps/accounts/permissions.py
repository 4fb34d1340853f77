"""Every access rule of the portal, and nowhere else.

Predicates (`can_<verb>_<entity>`) answer yes/no for templates and services. Fetchers
(`get_<entity>_for_user`) fetch and authorize in one call: an object the user cannot see is a
404 (existence is never leaked), an object they can see but may not act on is a 403.
"""

import enum
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404

from apps.accounts.models import Membership, Team
from apps.documents.models import Document
from apps.exports.models import ExportJob

Role = Membership.Role


class Need(enum.Enum):
    VIEW = "view"
    COMMENT = "comment"
    REVIEW = "review"
    EDIT = "edit"
    WAIVE_ERROR = "waive_error"
    MANAGE = "manage"


ROLE_NEEDS: dict[str, frozenset[Need]] = {
    Role.VIEWER: frozenset({Need.VIEW, Need.COMMENT}),
    Role.REVIEWER: frozenset({Need.VIEW, Need.COMMENT, Need.REVIEW, Need.WAIVE_ERROR}),
    Role.EDITOR: frozenset({Need.VIEW, Need.COMMENT, Need.REVIEW, Need.EDIT}),
    Role.OWNER: frozenset(Need),
}


def role_allows(role: str | None, need: Need) -> bool:
    """True when a member with `role` may do `need` (None means not a member)."""
    return role is not None and need in ROLE_NEEDS[role]


def _parse_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Not found.") from None


def _as_member(rows: QuerySet, user, team: str = "") -> QuerySet:
    """`rows` whose team (the row itself, or the one at the path `team`) has `user` as a member,
    each with `user_role`, their role there: one join on the unique (team, user) membership,
    which is cheaper to build and run than a subquery."""
    membership = f"{team}__memberships" if team else "memberships"
    return (
        rows.filter(**{f"{membership}__user": user})
        .annotate(user_role=F(f"{membership}__role"))
        .order_by()
    )


def team_role(user, team: Team) -> str | None:
    """The user's role in `team`, or None; cached on the team object per user."""
    if not user.is_authenticated:
        return None
    cache = team.__dict__.setdefault("_roles", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
        )
    return cache[user.pk]


def document_role(user, document: Document) -> str | None:
    """The user's role in the document's team (uses the role annotated by the fetcher)."""
    if not user.is_authenticated:
        return None
    if getattr(document, "_role_user_pk", None) == user.pk:
        return document.user_role
    return team_role(user, document.team)


def _sees_private(user, document: Document, role: str | None) -> bool:
    """A private document is seen by its person and the team's owners only."""
    return document.private_to_id is None or document.private_to_id == user.pk or role == Role.OWNER


def document_readers(document: Document) -> QuerySet:
    """The active users who may read `document`: its team's members, or for a private
    document its person and the team's owners. Recipients of notifications and the people
    a review can be asked of are drawn from here."""
    users = get_user_model().objects.filter(memberships__team=document.team_id, is_active=True)
    if document.private_to_id is not None:
        users = users.filter(Q(pk=document.private_to_id) | Q(memberships__role=Role.OWNER))
    return users.distinct()


def can_view_team(user, team: Team) -> bool:
    """Members of any role see the team page, its members and its documents."""
    return role_allows(team_role(user, team), Need.VIEW)


def can_create_document(user, team: Team) -> bool:
    """Editors and owners start documents in a team."""
    return role_allows(team_role(user, team), Need.EDIT)


def can_manage_team(user, team: Team) -> bool:
    """Only owners add, re-role and remove members."""
    return role_allows(team_role(user, team), Need.MANAGE)


def can_view_document(user, document: Document) -> bool:
    """Any member of the document's team may read it, unless it is someone else's private one."""
    role = document_role(user, document)
    return role_allows(role, Need.VIEW) and _sees_private(user, document, role)


def can_edit_document(user, document: Document) -> bool:
    """Editors and owners change titles and sections, archive and restore."""
    return role_allows(document_role(user, document), Need.EDIT)


def can_comment_document(user, document: Document) -> bool:
    """Every member, viewers included, may comment."""
    return role_allows(document_role(user, document), Need.COMMENT)


def is_document_owner(user, document: Document) -> bool:
    """The document's author, or an owner of its team."""
    if not user.is_authenticated:
        return False
    return user.pk == document.created_by_id or document_role(user, document) == Role.OWNER


def can_request_review(user, document: Document) -> bool:
    """Editors and owners ask teammates to review."""
    return role_allows(document_role(user, document), Need.EDIT)


def can_review_document(user, document: Document) -> bool:
    """Reviewers, editors and owners review, but never the document's own author."""
    return (
        role_allows(document_role(user, document), Need.REVIEW)
        and user.pk != document.created_by_id
    )


def can_raise_blocking_concern(user, document: Document) -> bool:
    """A concern that blocks sign-off comes from someone who may review."""
    return role_allows(document_role(user, document), Need.REVIEW)


def can_resolve_thread(user, document: Document, thread) -> bool:
    """Its author or the document owner (who must give a reason for a blocking concern)."""
    return user.pk == thread.created_by_id or is_document_owner(user, document)


def can_change_comment(user, comment) -> bool:
    """Only the author edits or deletes a comment."""
    return user.is_authenticated and user.pk == comment.author_id


def can_waive_finding(user, document: Document, severity: str) -> bool:
    """Authors and reviewers acknowledge warnings; only reviewers and owners waive errors."""
    role = document_role(user, document)
    if severity == "error":
        return role_allows(role, Need.WAIVE_ERROR)
    return role_allows(role, Need.EDIT) or role_allows(role, Need.REVIEW)


def get_team_for_user(user, team_id: Any, *, need: Need = Need.VIEW) -> Team:
    """404 if the user is not a member of the team; 403 if their role does not allow `need`."""
    team_uuid = _parse_uuid(team_id)
    if not user.is_authenticated:
        raise Http404("Not found.")
    team = _as_member(Team.objects, user).filter(pk=team_uuid).first()
    if team is None:
        raise Http404("Not found.")
    team.__dict__.setdefault("_roles", {})[user.pk] = team.user_role
    if not role_allows(team.user_role, need):
        raise PermissionDenied("Your role in this team does not allow this.")
    return team


def get_document_for_user(user, doc_id: Any, *, need: Need = Need.VIEW) -> Document:
    """404 if the user cannot see the document; 403 if they can see it but may not do `need`."""
    doc_uuid = _parse_uuid(doc_id)
    if not user.is_authenticated:
        raise Http404("Not found.")
    document = (
        _as_member(Document.objects.select_related("team", "template", "created_by"), user, "team")
        .filter(pk=doc_uuid)
        .first()
    )
    if document is None or not _sees_private(user, document, document.user_role):
        raise Http404("Not found.")
    document._role_user_pk = user.pk
    document.team.__dict__.setdefault("_roles", {})[user.pk] = document.user_role
    if not role_allows(document.user_role, need):
        raise PermissionDenied("Your role in this team does not allow this.")
    return document


def get_export_for_user(user, job_id: Any):
    """An export job of a document the user can see; a 404 for anyone else."""
    job_uuid = _parse_uuid(job_id)
    if not user.is_authenticated:
        raise Http404("Not found.")
    job = (
        _as_member(
            ExportJob.objects.select_related("document", "document__team"), user, "document__team"
        )
        .filter(pk=job_uuid)
        .first()
    )
    if job is None or not _sees_private(user, job.document, job.user_role):
        raise Http404("Not found.")
    job.document._role_user_pk = user.pk
    job.document.user_role = job.user_role
    return job


# --- courses (apps/courses) --------------------------------------------------------------------
# A course is a team: its owners are the instructors, its editors the students. Members of other
# roles (a reviewer, a viewer) see the course and its assignments, never a submission. A
# submission's document is private to its student, so the document pages already show it to the
# student and the team's owners only; these rules say the same for the course pages and API.


def can_view_course(user, course) -> bool:
    """Every member of the course's team sees the course page and its assignments."""
    return role_allows(team_role(user, course.team), Need.VIEW)


def can_teach_course(user, course) -> bool:
    """The team's owners teach: they add students, set assignments, see every submission and
    grade."""
    return team_role(user, course.team) == Role.OWNER


def is_course_student(user, course) -> bool:
    """The team's editors are the students: they start and submit their own submissions."""
    return team_role(user, course.team) == Role.EDITOR


def can_view_submission(user, submission) -> bool:
    """A submission is seen by its student (while on the team) and the course's instructors."""
    role = team_role(user, submission.assignment.course.team)
    return role is not None and (submission.student_id == user.pk or role == Role.OWNER)


def can_submit_submission(user, submission) -> bool:
    """Only its student, while still a student of the course, submits or withdraws it."""
    return submission.student_id == user.pk and is_course_student(
        user, submission.assignment.course
    )


def can_grade_submission(user, submission) -> bool:
    """The course's instructors grade, never the submission's own student."""
    return submission.student_id != user.pk and can_teach_course(user, submission.assignment.course)


def get_course_for_user(user, course_id: Any, *, teach: bool = False):
    """404 if the user is not a member of the course's team; 403 when `teach` and they are not
    one of its instructors."""
    from apps.courses.models import Course

    course_uuid = _parse_uuid(course_id)
    if not user.is_authenticated:
        raise Http404("Not found.")
    course = (
        _as_member(Course.objects.select_related("team", "template"), user, "team")
        .filter(pk=course_uuid)
        .first()
    )
    if course is None:
        raise Http404("Not found.")
    course.team.__dict__.setdefault("_roles", {})[user.pk] = course.user_role
    if teach and not can_teach_course(user, course):
        raise PermissionDenied("Only the course's instructors may do this.")
    return course


def get_assignment_for_user(user, course, assignment_id: Any):
    """An assignment of `course` (already fetched for `user`); a 404 for any other id."""
    from apps.courses.models import Assignment

    assignment = (
        Assignment.objects.select_related("template")
        .filter(course=course, pk=_parse_uuid(assignment_id))
        .first()
    )
    if assignment is None:
        raise Http404("Not found.")
    assignment.course = course
    return assignment


def get_submission_for_user(user, submission_id: Any):
    """A submission its student or an instructor of its course may see; a 404 for anyone else
    (another student included: existence is not leaked)."""
    from apps.courses.models import Submission

    submission_uuid = _parse_uuid(submission_id)
    if not user.is_authenticated:
        raise Http404("Not found.")
    submission = (
        _as_member(
            Submission.objects.select_related(
                "assignment",
                "assignment__course",
                "assignment__course__team",
                "assignment__template",
                "document",
                "student",
                "graded_by",
            ),
            user,
            "assignment__course__team",
        )
        .filter(pk=submission_uuid)
        .first()
    )
    if submission is None:
        raise Http404("Not found.")
    team = submission.assignment.course.team
    team.__dict__.setdefault("_roles", {})[user.pk] = submission.user_role
    if not can_view_submission(user, submission):
        raise Http404("Not found.")
    return submission


# --- interviews (apps/interviews) -------------------------------------------------------------
# A practice interview of a document made from an interview template. Its candidate is the
# member who starts it (the author or an editor); its interviewer is a second member who can
# read the document, invited by the candidate or the document owner. Both move the clock; every
# member who can read the document watches it; only the interviewer ever reads their notes.


def can_start_interview(user, document, session) -> bool:
    """Editors and owners start the practice and become its candidate; never its interviewer."""
    if session is not None and (session.is_started or session.interviewer_id == user.pk):
        return False
    return can_edit_document(user, document)


def is_interviewer(user, document, session) -> bool:
    """The invited interviewer, while they may still read the document."""
    return (
        session is not None
        and user.is_authenticated
        and session.interviewer_id == user.pk
        and can_view_document(user, document)
    )


def can_drive_interview(user, document, session) -> bool:
    """The candidate and the interviewer move the clock of a started interview."""
    return (
        session is not None
        and session.is_started
        and user.is_authenticated
        and user.pk in {session.candidate_id, session.interviewer_id}
        and can_view_document(user, document)
    )


def can_invite_interviewer(user, document, session) -> bool:
    """The candidate or the document owner; before the start, anyone who may start it."""
    if not can_view_document(user, document):
        return False
    if is_document_owner(user, document):
        return True
    if session is not None and session.is_started:
        return session.candidate_id == user.pk
    return can_start_interview(user, document, session)


def can_be_interviewer(user, document, session) -> bool:
    """An active member who can read the document and is not its candidate."""
    return (
        user.is_active
        and can_view_document(user, document)
        and (session is None or session.candidate_id != user.pk)
    )


def get_interview_for_user(user, doc_id: Any, *, need: Need = Need.VIEW, notes: bool = False):
    """(document, session or None) of an interview practice: a 404 as for the document, and for
    a document of any other template; a 403 if the role does not allow `need` or, with
    `notes`, for anyone but the session's interviewer."""
    from apps.interviews.models import is_interview_document
    from apps.interviews.selectors import interview_session_get

    document = get_document_for_user(user, doc_id, need=need)
    if not is_interview_document(document):
        raise Http404("Not found.")
    session = interview_session_get(document)
    if notes and not is_interviewer(user, document, session):
        raise PermissionDenied("Only the interviewer reads and writes interview notes.")
    return document, session
