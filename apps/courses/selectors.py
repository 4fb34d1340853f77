"""Reads of the course workflow for pages and the API, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership
from apps.courses import grading
from apps.courses.models import Assignment, Course, Submission
from apps.documents.models import document_content_hash
from apps.documents.selectors import document_sections
from apps.reviews.models import Scorecard
from apps.reviews.selectors import unwaived_findings
from apps.templates_catalog.models import DesignTemplate, SectionSpec

Role = Membership.Role


# Homework steps ------------------------------------------------------------------------------


def homework_steps(template: DesignTemplate) -> list[SectionSpec]:
    """The course template's homework sections (those whose `meta.hw` is set), in order."""
    return [
        spec
        for spec in template.sections.order_by("position")
        if isinstance((spec.meta or {}).get("hw"), int)
    ]


def homework_step(template: DesignTemplate, section_key: str) -> SectionSpec | None:
    """The homework section `section_key` of the course template, or None."""
    return next((s for s in homework_steps(template) if s.key == section_key), None)


def submission_content_hash(submission: Submission) -> str:
    """The digest of the submission's document as it stands."""
    return document_content_hash(document_sections(submission.document))


# Courses -------------------------------------------------------------------------------------


def course_list_for_user(user) -> list[Course]:
    """The courses of the user's teams with their role (`user_role`), assignment and student
    counts (one query)."""
    if not user.is_authenticated:
        return []
    role = Membership.objects.filter(team=OuterRef("team"), user=user).values("role")[:1]
    students = (
        Membership.objects.filter(team=OuterRef("team"), role=Role.EDITOR)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    courses = list(
        Course.objects.annotate(user_role=Subquery(role))
        .filter(user_role__isnull=False)
        .annotate(
            assignment_count=Count("assignments", distinct=True),
            student_count=Subquery(students),
        )
        .select_related("team", "template")
        .order_by("title")
    )
    for course in courses:
        course.team.__dict__.setdefault("_roles", {})[user.pk] = course.user_role
    return courses


def teams_to_convert(user) -> QuerySet:
    """The teams the user owns that are not courses yet (to turn one into a course)."""
    return (
        Membership.objects.filter(user=user, role=Role.OWNER, team__course__isnull=True)
        .select_related("team")
        .order_by("team__name")
    )


def course_students(course: Course) -> list:
    """The course's students (its team's editors), by username."""
    return [
        m.user
        for m in Membership.objects.filter(team=course.team_id, role=Role.EDITOR)
        .select_related("user")
        .order_by("user__username")
    ]


def course_instructors(course: Course) -> list:
    """The course's instructors (its team's owners), by username."""
    return [
        m.user
        for m in Membership.objects.filter(team=course.team_id, role=Role.OWNER)
        .select_related("user")
        .order_by("user__username")
    ]


def course_assignments(course: Course, *, user=None) -> list[Assignment]:
    """The course's assignments with `submitted_count` (handed in) and `started_count`; with
    `user`, each carries `mine`: that user's submission or None (two queries)."""
    assignments = (
        Assignment.objects.filter(course=course)
        .select_related("template")
        .annotate(
            started_count=Count("submissions", distinct=True),
            submitted_count=Count(
                "submissions",
                filter=Q(
                    submissions__status__in=[Submission.Status.SUBMITTED, Submission.Status.GRADED]
                ),
                distinct=True,
            ),
        )
        # Explicit: a model's default ordering is not kept by every aggregate query.
        .order_by(F("hw_number").asc(nulls_last=True), "created_at")
    )
    if user is not None:
        assignments = assignments.prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.filter(student=user).select_related("document"),
                to_attr="my_submissions",
            )
        )
    rows = list(assignments)
    for assignment in rows:
        assignment.course = course
        if user is not None:
            assignment.mine = assignment.my_submissions[0] if assignment.my_submissions else None
            if assignment.mine is not None:
                assignment.mine.assignment = assignment
    return rows


def assignment_step(assignment: Assignment) -> SectionSpec | None:
    """The homework section an assignment is about (None for the project)."""
    if assignment.kind != Assignment.Kind.HOMEWORK:
        return None
    return SectionSpec.objects.filter(
        template=assignment.template_id, key=assignment.section_key
    ).first()


def assignment_submissions(assignment: Assignment) -> QuerySet[Submission]:
    """Every submission of the assignment with its student and document, by username."""
    return (
        Submission.objects.filter(assignment=assignment)
        .select_related("student", "document", "graded_by")
        .order_by("student__username")
    )


@dataclass
class RosterRow:
    """A student and their submission of one assignment (None: not started)."""

    student: object
    submission: Submission | None


def assignment_roster(assignment: Assignment) -> list[RosterRow]:
    """Every current student with their submission, then anyone else who submitted (a former
    student), by username (two queries)."""
    submissions = {s.student_id: s for s in assignment_submissions(assignment)}
    for submission in submissions.values():
        submission.assignment = assignment
    rows = [RosterRow(s, submissions.pop(s.pk, None)) for s in course_students(assignment.course)]
    rows += [RosterRow(s.student, s) for s in submissions.values()]
    return rows


def submission_for(assignment: Assignment, student) -> Submission | None:
    """The student's submission of the assignment, if started."""
    submission = (
        Submission.objects.filter(assignment=assignment, student=student)
        .select_related("document", "student", "graded_by")
        .first()
    )
    if submission is not None:
        submission.assignment = assignment
    return submission


def previous_homework_title(assignment: Assignment, student) -> str:
    """The title of the earlier homework a new submission would continue from ("" if none)."""
    if assignment.kind != Assignment.Kind.HOMEWORK:
        return ""
    previous = (
        Submission.objects.filter(
            assignment__course=assignment.course_id,
            assignment__kind=Assignment.Kind.HOMEWORK,
            assignment__hw_number__lt=assignment.hw_number,
            student=student,
        )
        .select_related("assignment")
        .order_by("-assignment__hw_number")
        .first()
    )
    return previous.assignment.title if previous else ""


def is_overdue(assignment: Assignment, submission: Submission | None, now=None) -> bool:
    """Past the due date and not handed in."""
    now = now or timezone.now()
    return now > assignment.due_at and (submission is None or not submission.is_handed_in)


# Grading -------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """What the grader's rubric scorecard says: the grade it gives (None while a needed
    criterion is unscored), the criteria it is computed from, and whether a card exists."""

    grade: Decimal | None
    criteria: list
    has_scorecard: bool


def grade_suggestion(submission: Submission, grader) -> Suggestion:
    """The grade `grader`'s rubric scorecard on the submission's document suggests (§5.3)."""
    assignment = submission.assignment
    hw = assignment.hw_number if assignment.kind == Assignment.Kind.HOMEWORK else None
    criteria = (
        grading.homework_criteria(hw)
        if hw is not None
        else grading.rubric.criteria_for(grading.COURSE_RUBRIC)
    )
    card = Scorecard.objects.filter(document=submission.document, scorer=grader).first()
    if card is None:
        return Suggestion(grade=None, criteria=criteria, has_scorecard=False)
    findings = unwaived_findings(submission.document)
    return Suggestion(
        grade=grading.suggested_grade(card.entries, findings, hw),
        criteria=criteria,
        has_scorecard=True,
    )


# Gradebook -----------------------------------------------------------------------------------


@dataclass
class GradebookRow:
    student: object
    cells: list  # one Submission or None per assignment, in column order
    standing: grading.FinalGrade | None


@dataclass
class Gradebook:
    course: Course
    assignments: list[Assignment]
    rows: list[GradebookRow]
    weights: grading.Weights | None
    weights_error: str = ""
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def homeworks(self) -> list[Assignment]:
        return [a for a in self.assignments if a.kind == Assignment.Kind.HOMEWORK]

    @property
    def project(self) -> Assignment | None:
        return next((a for a in self.assignments if a.kind == Assignment.Kind.PROJECT), None)


def gradebook(course: Course, *, students=None) -> Gradebook:
    """Students × assignments with each cell's submission, and each student's homework mean,
    project grade and final grade (weights from the course template's `grade_weights`).

    `students` limits the rows (a student sees their own); by default every current student.
    Three queries however many students and assignments.
    """
    assignments = list(Assignment.objects.filter(course=course))
    for assignment in assignments:
        assignment.course = course
    students = course_students(course) if students is None else list(students)
    submissions = Submission.objects.filter(
        assignment__course=course, student__in=[s.pk for s in students]
    ).only(
        "id", "assignment_id", "student_id", "status", "submitted_at", "grade", "graded_at",
        "graded_hash", "document_id",
    )  # fmt: skip
    by_cell = {}
    by_id = {a.pk: a for a in assignments}
    for submission in submissions:
        submission.assignment = by_id[submission.assignment_id]
        by_cell[(submission.student_id, submission.assignment_id)] = submission
    try:
        weights = grading.weights_from_meta(course.template.meta)
        weights_error = ""
    except grading.GradeWeightsError as exc:
        weights, weights_error = None, str(exc)
    rows = []
    for student in students:
        cells = [by_cell.get((student.pk, a.pk)) for a in assignments]
        standing = None
        if weights is not None:
            homework, project = [], None
            for assignment, cell in zip(assignments, cells, strict=True):
                grade = cell.grade if cell is not None and cell.status == "graded" else None
                if assignment.kind == Assignment.Kind.HOMEWORK:
                    homework.append((assignment.title, grade))
                else:
                    project = (assignment.title, grade)
            standing = grading.final_grade(homework, project, weights)
        rows.append(GradebookRow(student=student, cells=cells, standing=standing))
    return Gradebook(
        course=course,
        assignments=assignments,
        rows=rows,
        weights=weights,
        weights_error=weights_error,
    )


def _csv_cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def gradebook_csv_rows(book: Gradebook) -> list[list[str]]:
    """The gradebook as CSV rows: a header, then one row per student (text that a spreadsheet
    would run as a formula is quoted)."""
    return [[_csv_cell(str(cell)) for cell in line] for line in _gradebook_lines(book)]


def _gradebook_lines(book: Gradebook) -> list[list[str]]:
    header = [_("Student")]
    for assignment in book.assignments:
        header += [assignment.title, _("%(title)s status") % {"title": assignment.title}]
    header += [_("Homework mean"), _("Project"), _("Final grade"), _("Missing")]
    out = [header]
    for row in book.rows:
        line = [row.student.get_username()]
        for cell in row.cells:
            if cell is None:
                line += ["", _("not started")]
                continue
            status = cell.get_status_display()
            if cell.is_late:
                status += " " + _("(late)")
            line += [str(cell.grade) if cell.grade is not None else "", status]
        standing = row.standing
        if standing is None:
            line += ["", "", "", ""]
        else:
            line += [
                str(standing.homework_mean) if standing.homework_mean is not None else "",
                str(standing.project) if standing.project is not None else "",
                str(standing.final) if standing.final is not None else _("incomplete"),
                "; ".join(standing.missing),
            ]
        out.append(line)
    return out
