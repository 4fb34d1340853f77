"""Writes of the course workflow: courses, students, assignments, submissions and grades.

Every service takes the acting user, checks it with apps.accounts.permissions and raises
`PermissionDenied` or `ValidationError` before it writes anything.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Team
from apps.accounts.permissions import (
    can_grade_submission,
    can_submit_submission,
    can_teach_course,
    is_course_student,
    team_role,
)
from apps.accounts.services import membership_add, team_create
from apps.courses.models import (
    ASSIGNMENT_TITLE_MAX_CHARS,
    COURSE_DESCRIPTION_MAX_CHARS,
    COURSE_TITLE_MAX_CHARS,
    FEEDBACK_MAX_CHARS,
    GRADE_MAX,
    GRADE_MIN,
    HOMEWORK_TEMPLATE_KEY,
    INSTRUCTIONS_MAX_CHARS,
    PROJECT_TEMPLATE_KEY,
    Assignment,
    Course,
    Submission,
)
from apps.courses.selectors import homework_step, submission_content_hash
from apps.documents import markdown
from apps.documents.models import TITLE_MAX_CHARS
from apps.documents.selectors import document_sections
from apps.documents.services import document_create, section_save
from apps.templates_catalog.models import DesignTemplate

Role = Membership.Role
# A due date is at most this far ahead: a typo in the year is refused, not accepted.
DUE_MAX_AHEAD = datetime.timedelta(days=5 * 366)


def _clean_text(value: str, *, field: str, limit: int, required: bool, message: str = "") -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {field: _("Keep it to %(n)s characters or fewer.") % {"n": f"{limit:,}"}}
        )
    return value


def _latest_template(key: str) -> DesignTemplate:
    template = DesignTemplate.objects.filter(key=key, is_latest=True).first()
    if template is None:
        raise ValidationError(
            _("The “%(key)s” template is not loaded: run manage.py load_templates.") % {"key": key}
        )
    return template


# Courses --------------------------------------------------------------------------------------


@transaction.atomic
def course_create(*, title: str, instructor, description: str = "", team: Team | None = None):
    """Create a course taught by `instructor`: in a new team it owns, or in one of its own
    teams (`team`, which it must own and which must not be a course already)."""
    title = _clean_text(
        title,
        field="title",
        limit=COURSE_TITLE_MAX_CHARS,
        required=True,
        message=_("Give the course a title."),
    )
    description = _clean_text(
        description, field="description", limit=COURSE_DESCRIPTION_MAX_CHARS, required=False
    )
    template = _latest_template(HOMEWORK_TEMPLATE_KEY)
    if team is None:
        team = team_create(name=title, owner=instructor)
    else:
        if team_role(instructor, team) != Role.OWNER:
            raise ValidationError({"team": _("You can only turn a team you own into a course.")})
        # Lock the team row so two requests cannot both turn it into a course.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        if Course.objects.filter(team=team).exists():
            raise ValidationError({"team": _("This team is already a course.")})
    return Course.objects.create(
        team=team,
        title=title,
        description=description,
        template=template,
        created_by=instructor,
    )


@transaction.atomic
def course_update(*, course: Course, by, title: str | None = None, description: str | None = None):
    """Change a course's title and/or description (its instructors only)."""
    if not can_teach_course(by, course):
        raise PermissionDenied(_("Only the course's instructors may change it."))
    changes = {}
    if title is not None:
        changes["title"] = _clean_text(
            title,
            field="title",
            limit=COURSE_TITLE_MAX_CHARS,
            required=True,
            message=_("Give the course a title."),
        )
    if description is not None:
        changes["description"] = _clean_text(
            description, field="description", limit=COURSE_DESCRIPTION_MAX_CHARS, required=False
        )
    for field, value in changes.items():
        setattr(course, field, value)
    if changes:
        course.save(update_fields=list(changes))
    return course


@transaction.atomic
def course_student_add(*, course: Course, by, identifier: str) -> Membership:
    """Add an existing user (username or email) to the course's team as a student (editor)."""
    if not can_teach_course(by, course):
        raise PermissionDenied(_("Only the course's instructors add students."))
    return membership_add(team=course.team, identifier=identifier, role=Role.EDITOR)


# Assignments ----------------------------------------------------------------------------------


def _clean_due(due_at, *, now: datetime.datetime) -> datetime.datetime:
    if not isinstance(due_at, datetime.datetime):
        raise ValidationError({"due_at": _("Give a due date and time.")})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at <= now:
        raise ValidationError({"due_at": _("Choose a due date in the future.")})
    if due_at > now + DUE_MAX_AHEAD:
        raise ValidationError({"due_at": _("Choose a due date within the next five years.")})
    return due_at


def _clean_instructions(instructions_md: str) -> tuple[str, str]:
    text = _clean_text(
        instructions_md, field="instructions", limit=INSTRUCTIONS_MAX_CHARS, required=False
    )
    return text, (markdown.render(text) if text else "")


@transaction.atomic
def assignment_create(
    *,
    course: Course,
    by,
    kind: str,
    due_at: datetime.datetime,
    section_key: str = "",
    title: str = "",
    instructions_md: str = "",
) -> Assignment:
    """Set a homework (a course_hw step, `section_key` hw1_intro … hw7_infra) or the final
    project (an ml_system_design document) with a due date and Markdown instructions; the title
    defaults to the step's. One assignment per step, and one project, per course."""
    if not can_teach_course(by, course):
        raise PermissionDenied(_("Only the course's instructors set assignments."))
    if kind not in Assignment.Kind.values:
        raise ValidationError({"kind": _("Choose a homework step or the final project.")})
    if kind == Assignment.Kind.HOMEWORK:
        spec = homework_step(course.template, section_key)
        if spec is None:
            raise ValidationError({"section_key": _("Choose one of the homework steps.")})
        template, hw_number, default_title = course.template, spec.meta["hw"], spec.local_title
        taken = _("This course already has an assignment for homework %(n)s.") % {"n": hw_number}
    else:
        section_key = ""
        template, hw_number = _latest_template(PROJECT_TEMPLATE_KEY), None
        default_title, taken = _("Final project"), _("This course already has a final project.")
    title = _clean_text(title, field="title", limit=ASSIGNMENT_TITLE_MAX_CHARS, required=False)
    instructions_md, instructions_html = _clean_instructions(instructions_md)
    due_at = _clean_due(due_at, now=timezone.now())
    if Assignment.objects.filter(course=course, kind=kind, section_key=section_key).exists():
        raise ValidationError({"section_key" if hw_number else "kind": taken})
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                course=course,
                kind=kind,
                section_key=section_key,
                hw_number=hw_number,
                title=title or default_title,
                instructions_md=instructions_md,
                instructions_html=instructions_html,
                due_at=due_at,
                template=template,
                created_by=by,
            )
    except IntegrityError:  # the same step set twice at once
        raise ValidationError({"section_key" if hw_number else "kind": taken}) from None


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    by,
    title: str | None = None,
    instructions_md: str | None = None,
    due_at: datetime.datetime | None = None,
) -> Assignment:
    """Change an assignment's title, instructions or due date (a new due date must be in the
    future; late marks follow the due date in force)."""
    if not can_teach_course(by, assignment.course):
        raise PermissionDenied(_("Only the course's instructors change assignments."))
    changes = {}
    if title is not None:
        changes["title"] = _clean_text(
            title,
            field="title",
            limit=ASSIGNMENT_TITLE_MAX_CHARS,
            required=True,
            message=_("Give the assignment a title."),
        )
    if instructions_md is not None:
        changes["instructions_md"], changes["instructions_html"] = _clean_instructions(
            instructions_md
        )
    if due_at is not None and due_at != assignment.due_at:
        changes["due_at"] = _clean_due(due_at, now=timezone.now())
    for field, value in changes.items():
        setattr(assignment, field, value)
    if changes:
        assignment.save(update_fields=list(changes))
    return assignment


# Submissions ----------------------------------------------------------------------------------


def _previous_homework(assignment: Assignment, student) -> Submission | None:
    """The student's submission of the latest earlier homework of the course, if any."""
    return (
        Submission.objects.filter(
            assignment__course=assignment.course_id,
            assignment__kind=Assignment.Kind.HOMEWORK,
            assignment__hw_number__lt=assignment.hw_number,
            student=student,
        )
        .select_related("document", "assignment")
        .order_by("-assignment__hw_number")
        .first()
    )


def _carry_over(source: Submission, document, student) -> None:
    """Copy the written sections of an earlier homework into the new document: homework k builds
    on 1…k−1, and its checklist runs their rules too."""
    written = {s.key: s for s in document_sections(source.document) if not s.is_empty}
    for section in document_sections(document):
        old = written.get(section.key)
        if old is not None:
            # Fields as they were accepted then; the checklist reports any broken reference.
            section_save(
                section=section,
                body_md=old.body_md,
                data=old.data,
                author=student,
                check_references=False,
            )


@transaction.atomic
def submission_start(*, assignment: Assignment, student, carry_over: bool = True) -> Submission:
    """Start `student`'s submission: a document of the assignment's template private to them
    (and the instructors). A homework copies the student's latest earlier homework unless
    `carry_over` is False. Late starts are allowed."""
    course = assignment.course
    if not is_course_student(student, course):
        raise PermissionDenied(_("Only the course's students start submissions."))
    refused = _("You have already started this assignment.")
    if Submission.objects.filter(assignment=assignment, student=student).exists():
        raise ValidationError(refused)
    suffix = f" — {student.get_username()}"
    title = assignment.title[: max(1, TITLE_MAX_CHARS - len(suffix))] + suffix
    document = document_create(
        team=course.team,
        template=assignment.template,
        title=title[:TITLE_MAX_CHARS],
        created_by=student,
        private_to=student,
    )
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                assignment=assignment, student=student, document=document
            )
    except IntegrityError:  # a double click: the first request made the submission
        raise ValidationError(refused) from None
    if carry_over and assignment.kind == Assignment.Kind.HOMEWORK:
        source = _previous_homework(assignment, student)
        if source is not None:
            _carry_over(source, document, student)
    return submission


def _lock(submission: Submission) -> Submission:
    """Re-read the submission's state under a row lock: submit, withdraw and grade take turns."""
    current = Submission.objects.select_for_update().get(pk=submission.pk)
    for field in ("status", "submitted_at", "submitted_hash", "grade", "graded_at"):
        setattr(submission, field, getattr(current, field))
    return submission


def _ensure_written(submission: Submission) -> None:
    assignment = submission.assignment
    sections = list(document_sections(submission.document))
    if assignment.kind == Assignment.Kind.HOMEWORK:
        step = next((s for s in sections if s.key == assignment.section_key), None)
        if step is not None and step.is_empty:
            raise ValidationError(
                _("Write the “%(title)s” section before you submit.") % {"title": step.title}
            )
    elif all(s.is_empty for s in sections):
        raise ValidationError(_("The document is empty: write it before you submit."))


@transaction.atomic
def submission_submit(*, submission: Submission, by) -> Submission:
    """Hand a draft in: status submitted, the time and the content hash recorded. After the due
    date it is accepted and marked late."""
    if not can_submit_submission(by, submission):
        raise PermissionDenied(_("Only the student who wrote it submits it."))
    _lock(submission)
    if submission.status != Submission.Status.DRAFT:
        raise ValidationError(_("This submission has already been handed in."))
    if submission.document.is_archived:
        raise ValidationError(_("The document is archived: restore it before you submit."))
    _ensure_written(submission)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_hash = submission_content_hash(submission)
    submission.save(update_fields=["status", "submitted_at", "submitted_hash"])
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission, by) -> Submission:
    """Take a submitted, not yet graded, submission back to draft."""
    if not can_submit_submission(by, submission):
        raise PermissionDenied(_("Only the student who wrote it withdraws it."))
    _lock(submission)
    if submission.status == Submission.Status.GRADED:
        raise ValidationError(_("This submission is graded: it can no longer be withdrawn."))
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("This submission has not been handed in."))
    submission.status = Submission.Status.DRAFT
    submission.submitted_at = None
    submission.submitted_hash = ""
    submission.save(update_fields=["status", "submitted_at", "submitted_hash"])
    return submission


def _clean_grade(grade) -> Decimal:
    try:
        value = Decimal(str(grade).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"grade": _("Give a grade from 0 to 10.")}) from None
    if not value.is_finite() or not GRADE_MIN <= value <= GRADE_MAX:
        raise ValidationError({"grade": _("Give a grade from 0 to 10.")})
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError({"grade": _("Use at most one decimal, like 7.5.")})
    return value.quantize(Decimal("0.1"))


def submission_grade_allowed(*, submission: Submission, by) -> None:
    """PermissionDenied unless `by` may grade `submission` (an instructor, not its student)."""
    if not can_grade_submission(by, submission):
        raise PermissionDenied(_("Only the course's instructors grade."))


@transaction.atomic
def submission_grade(*, submission: Submission, by, grade, feedback_md: str = "") -> Submission:
    """Grade handed-in work 0–10 with Markdown feedback (again to regrade). The grade records
    the content hash it was given for."""
    submission_grade_allowed(submission=submission, by=by)
    value = _clean_grade(grade)
    feedback = _clean_text(feedback_md, field="feedback", limit=FEEDBACK_MAX_CHARS, required=False)
    _lock(submission)
    if submission.status == Submission.Status.DRAFT:
        raise ValidationError(_("This submission is still a draft: it is graded once handed in."))
    submission.status = Submission.Status.GRADED
    submission.grade = value
    submission.feedback_md = feedback
    submission.feedback_html = markdown.render(feedback) if feedback else ""
    submission.graded_at = timezone.now()
    submission.graded_by = by
    submission.graded_hash = submission_content_hash(submission)
    submission.save(
        update_fields=[
            "status", "grade", "feedback_md", "feedback_html", "graded_at", "graded_by",
            "graded_hash",
        ]
    )  # fmt: skip
    return submission
