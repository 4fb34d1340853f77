"""REST API of course mode (mounted under /api/v1/): courses, assignments, submissions, grades.

Every view fetches through apps.accounts.permissions (another team's course, or another
student's submission, is a 404) and writes through apps.courses.services.
"""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.accounts.permissions import (
    can_teach_course,
    get_assignment_for_user,
    get_course_for_user,
    get_submission_for_user,
    is_course_student,
    team_role,
)
from apps.courses import selectors, services
from apps.courses.models import (
    ASSIGNMENT_TITLE_MAX_CHARS,
    COURSE_DESCRIPTION_MAX_CHARS,
    COURSE_TITLE_MAX_CHARS,
    FEEDBACK_MAX_CHARS,
    INSTRUCTIONS_MAX_CHARS,
    Assignment,
    Course,
    Submission,
)

ROLE_NAMES = {"owner": "instructor", "editor": "student"}


def _course_role(user, course) -> str:
    return ROLE_NAMES.get(team_role(user, course.team) or "", "member")


def _grade_field(**kwargs):
    return serializers.DecimalField(
        max_digits=3, decimal_places=1, coerce_to_string=False, **kwargs
    )


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(Assignment.Kind.values) + ")$",
        "description": "`homework` (a course_hw step) or `project` (ml_system_design).",
    }
)
class KindField(serializers.ChoiceField):
    """An assignment's kind. A pattern rather than an enum in the schema: other apps' `kind`
    enums have other values, and a shared enum name would collide."""

    def __init__(self, **kwargs):
        super().__init__(choices=Assignment.Kind.values, **kwargs)


# --- output ---------------------------------------------------------------------------------


class CourseOutput(serializers.ModelSerializer):
    team = serializers.UUIDField(source="team_id")
    my_role = serializers.SerializerMethodField()
    template = serializers.CharField(source="template.key")
    template_version = serializers.IntegerField(source="template.version")

    class Meta:
        model = Course
        fields = [
            "id", "title", "description", "team", "my_role", "template", "template_version",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_my_role(self, course) -> str:
        """instructor (team owner), student (editor) or member (reviewer, viewer)."""
        return _course_role(self.context["user"], course)


class SubmissionOutput(serializers.ModelSerializer):
    assignment = serializers.UUIDField(source="assignment_id")
    student = serializers.CharField(source="student.username")
    document = serializers.UUIDField(source="document_id")
    late = serializers.BooleanField(source="is_late")
    grade = _grade_field(allow_null=True)
    feedback = serializers.CharField(source="feedback_md")
    graded_by = serializers.CharField(source="graded_by.username", allow_null=True, default=None)

    class Meta:
        model = Submission
        fields = [
            "id", "assignment", "student", "document", "status", "late", "created_at",
            "submitted_at", "submitted_hash", "grade", "feedback", "feedback_html", "graded_at",
            "graded_by", "graded_hash",
        ]  # fmt: skip
        read_only_fields = fields


class AssignmentOutput(serializers.ModelSerializer):
    kind = KindField()
    homework_step = serializers.SerializerMethodField()
    instructions = serializers.CharField(source="instructions_md")
    template = serializers.CharField(source="template.key")
    started_count = serializers.SerializerMethodField()
    submitted_count = serializers.SerializerMethodField()
    my_submission = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id", "kind", "homework_step", "hw_number", "title", "instructions",
            "instructions_html", "due_at", "template", "created_at", "started_count",
            "submitted_count", "my_submission",
        ]  # fmt: skip
        read_only_fields = fields

    def get_homework_step(self, assignment) -> str | None:
        """The course_hw section of a homework (hw1_intro … hw7_infra); null for the project."""
        return assignment.section_key or None

    def _teaches(self, assignment) -> bool:
        return can_teach_course(self.context["user"], assignment.course)

    def get_started_count(self, assignment) -> int | None:
        """Submissions started (instructors only; null for others)."""
        return getattr(assignment, "started_count", None) if self._teaches(assignment) else None

    def get_submitted_count(self, assignment) -> int | None:
        """Submissions handed in (instructors only; null for others)."""
        return getattr(assignment, "submitted_count", None) if self._teaches(assignment) else None

    @extend_schema(responses=SubmissionOutput(allow_null=True))
    def get_my_submission(self, assignment) -> dict | None:
        """The requesting student's submission, or null."""
        mine = getattr(assignment, "mine", None)
        return SubmissionOutput(mine).data if mine is not None else None


class GradebookCellOutput(serializers.Serializer):
    assignment = serializers.UUIDField()
    submission = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=["not_started", *Submission.Status.values])
    late = serializers.BooleanField()
    grade = _grade_field(allow_null=True)


class GradebookRowOutput(serializers.Serializer):
    student = serializers.CharField()
    cells = GradebookCellOutput(many=True)
    homework_mean = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    homework_graded = serializers.IntegerField()
    homework_total = serializers.IntegerField()
    project = _grade_field(allow_null=True)
    final = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class GradebookAssignmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    kind = KindField()
    hw_number = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField()


class WeightsOutput(serializers.Serializer):
    homework = serializers.DecimalField(max_digits=4, decimal_places=3, coerce_to_string=False)
    project = serializers.DecimalField(max_digits=4, decimal_places=3, coerce_to_string=False)


class GradebookOutput(serializers.Serializer):
    course = serializers.UUIDField()
    weights = WeightsOutput(allow_null=True)
    weights_error = serializers.CharField(allow_blank=True)
    assignments = GradebookAssignmentOutput(many=True)
    rows = GradebookRowOutput(many=True)


def _gradebook_data(book) -> dict:
    rows = []
    for row in book.rows:
        cells = []
        for assignment, cell in zip(book.assignments, row.cells, strict=True):
            cells.append(
                {
                    "assignment": assignment.pk,
                    "submission": cell.pk if cell else None,
                    "status": cell.status if cell else "not_started",
                    "late": bool(cell and cell.is_late),
                    "grade": cell.grade if cell and cell.status == "graded" else None,
                }
            )
        standing = row.standing
        rows.append(
            {
                "student": row.student.get_username(),
                "cells": cells,
                "homework_mean": standing.homework_mean if standing else None,
                "homework_graded": standing.homework_graded if standing else 0,
                "homework_total": standing.homework_total if standing else 0,
                "project": standing.project if standing else None,
                "final": standing.final if standing else None,
                "complete": bool(standing and standing.is_complete),
                "missing": list(standing.missing) if standing else [],
            }
        )
    return {
        "course": book.course.pk,
        "weights": book.weights,
        "weights_error": book.weights_error,
        "assignments": book.assignments,
        "rows": rows,
    }


# --- input ----------------------------------------------------------------------------------


class CourseInput(serializers.Serializer):
    title = serializers.CharField(max_length=COURSE_TITLE_MAX_CHARS)
    description = serializers.CharField(
        max_length=COURSE_DESCRIPTION_MAX_CHARS, required=False, allow_blank=True
    )
    team = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A team you own to turn into the course; leave out to create a new team.",
    )


class CoursePatchInput(serializers.Serializer):
    title = serializers.CharField(max_length=COURSE_TITLE_MAX_CHARS, required=False)
    description = serializers.CharField(
        max_length=COURSE_DESCRIPTION_MAX_CHARS, required=False, allow_blank=True
    )


class AssignmentInput(serializers.Serializer):
    kind = KindField()
    homework_step = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The course_hw section of a homework: hw1_intro … hw7_infra.",
    )
    title = serializers.CharField(
        max_length=ASSIGNMENT_TITLE_MAX_CHARS, required=False, allow_blank=True
    )
    instructions = serializers.CharField(
        max_length=INSTRUCTIONS_MAX_CHARS, required=False, allow_blank=True
    )
    due_at = serializers.DateTimeField()


class AssignmentPatchInput(serializers.Serializer):
    title = serializers.CharField(max_length=ASSIGNMENT_TITLE_MAX_CHARS, required=False)
    instructions = serializers.CharField(
        max_length=INSTRUCTIONS_MAX_CHARS, required=False, allow_blank=True
    )
    due_at = serializers.DateTimeField(required=False)


class StartInput(serializers.Serializer):
    carry_over = serializers.BooleanField(
        required=False,
        default=True,
        help_text="A homework starts from the student's latest earlier homework.",
    )


class GradeInput(serializers.Serializer):
    grade = serializers.DecimalField(max_digits=3, decimal_places=1, min_value=0, max_value=10)
    feedback = serializers.CharField(
        max_length=FEEDBACK_MAX_CHARS, required=False, allow_blank=True
    )


# --- views ----------------------------------------------------------------------------------


def _context(request) -> dict:
    return {"user": request.user}


class CourseListApi(APIView):
    @extend_schema(responses=CourseOutput(many=True))
    def get(self, request):
        """The courses of your teams, with your role in each."""
        courses = selectors.course_list_for_user(request.user)
        return Response(CourseOutput(courses, many=True, context=_context(request)).data)

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def post(self, request):
        """Create a course you teach: in a new team, or in a team you own (`team`)."""
        data = CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team = None
        if values.get("team"):
            team = Team.objects.for_user(request.user).filter(pk=values["team"]).first()
            if team is None:
                raise serializers.ValidationError({"team": [_("You are not on this team.")]})
        course = services.course_create(
            title=values["title"],
            description=values.get("description", ""),
            instructor=request.user,
            team=team,
        )
        return Response(
            CourseOutput(course, context=_context(request)).data, status=status.HTTP_201_CREATED
        )


class CourseDetailApi(APIView):
    @extend_schema(responses=CourseOutput)
    def get(self, request, course_id):
        """One course."""
        course = get_course_for_user(request.user, course_id)
        return Response(CourseOutput(course, context=_context(request)).data)

    @extend_schema(request=CoursePatchInput, responses=CourseOutput)
    def patch(self, request, course_id):
        """Change the title or description (instructors)."""
        course = get_course_for_user(request.user, course_id, teach=True)
        data = CoursePatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.course_update(course=course, by=request.user, **data.validated_data)
        return Response(CourseOutput(course, context=_context(request)).data)


def _assignment_with_counts(request, course, assignment_id) -> Assignment:
    wanted = get_assignment_for_user(request.user, course, assignment_id)
    student = request.user if is_course_student(request.user, course) else None
    return next(a for a in selectors.course_assignments(course, user=student) if a.pk == wanted.pk)


class AssignmentListApi(APIView):
    @extend_schema(responses=AssignmentOutput(many=True))
    def get(self, request, course_id):
        """The course's assignments: counts for instructors, `my_submission` for students."""
        course = get_course_for_user(request.user, course_id)
        student = request.user if is_course_student(request.user, course) else None
        assignments = selectors.course_assignments(course, user=student)
        return Response(AssignmentOutput(assignments, many=True, context=_context(request)).data)

    @extend_schema(request=AssignmentInput, responses={201: AssignmentOutput})
    def post(self, request, course_id):
        """Set a homework step (`kind` homework, `homework_step`) or the project (instructors)."""
        course = get_course_for_user(request.user, course_id, teach=True)
        data = AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignment = services.assignment_create(
            course=course,
            by=request.user,
            kind=values["kind"],
            section_key=values.get("homework_step", ""),
            title=values.get("title", ""),
            instructions_md=values.get("instructions", ""),
            due_at=values["due_at"],
        )
        assignment = _assignment_with_counts(request, course, assignment.pk)
        return Response(
            AssignmentOutput(assignment, context=_context(request)).data,
            status=status.HTTP_201_CREATED,
        )


class AssignmentDetailApi(APIView):
    @extend_schema(responses=AssignmentOutput)
    def get(self, request, course_id, assignment_id):
        """One assignment."""
        course = get_course_for_user(request.user, course_id)
        assignment = _assignment_with_counts(request, course, assignment_id)
        return Response(AssignmentOutput(assignment, context=_context(request)).data)

    @extend_schema(request=AssignmentPatchInput, responses=AssignmentOutput)
    def patch(self, request, course_id, assignment_id):
        """Change the title, instructions or due date (instructors)."""
        course = get_course_for_user(request.user, course_id, teach=True)
        assignment = get_assignment_for_user(request.user, course, assignment_id)
        data = AssignmentPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.assignment_update(
            assignment=assignment,
            by=request.user,
            title=values.get("title"),
            instructions_md=values.get("instructions"),
            due_at=values.get("due_at"),
        )
        assignment = _assignment_with_counts(request, course, assignment.pk)
        return Response(AssignmentOutput(assignment, context=_context(request)).data)


class SubmissionListApi(APIView):
    @extend_schema(responses=SubmissionOutput(many=True))
    def get(self, request, course_id, assignment_id):
        """Instructors: every submission. A student: their own (a list of at most one)."""
        course = get_course_for_user(request.user, course_id)
        assignment = get_assignment_for_user(request.user, course, assignment_id)
        submissions = selectors.assignment_submissions(assignment)
        if not can_teach_course(request.user, course):
            submissions = submissions.filter(student=request.user)
        rows = list(submissions)
        for submission in rows:
            submission.assignment = assignment
        return Response(SubmissionOutput(rows, many=True).data)

    @extend_schema(request=StartInput, responses={201: SubmissionOutput})
    def post(self, request, course_id, assignment_id):
        """Start my submission (students): a private document of the assignment's template."""
        course = get_course_for_user(request.user, course_id)
        assignment = get_assignment_for_user(request.user, course, assignment_id)
        data = StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.submission_start(
            assignment=assignment,
            student=request.user,
            carry_over=data.validated_data["carry_over"],
        )
        submission = get_submission_for_user(request.user, submission.pk)
        return Response(SubmissionOutput(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(APIView):
    @extend_schema(responses=SubmissionOutput)
    def get(self, request, submission_id):
        """One submission (its student and the instructors)."""
        return Response(SubmissionOutput(get_submission_for_user(request.user, submission_id)).data)


class SubmissionSubmitApi(APIView):
    @extend_schema(request=None, responses=SubmissionOutput)
    def post(self, request, submission_id):
        """Hand in a draft (its student); after the due date it is marked late."""
        submission = get_submission_for_user(request.user, submission_id)
        services.submission_submit(submission=submission, by=request.user)
        return Response(SubmissionOutput(submission).data)


class SubmissionWithdrawApi(APIView):
    @extend_schema(request=None, responses=SubmissionOutput)
    def post(self, request, submission_id):
        """Take a handed-in, ungraded submission back to draft (its student)."""
        submission = get_submission_for_user(request.user, submission_id)
        services.submission_withdraw(submission=submission, by=request.user)
        return Response(SubmissionOutput(submission).data)


class SubmissionGradeApi(APIView):
    @extend_schema(request=GradeInput, responses=SubmissionOutput)
    def post(self, request, submission_id):
        """Grade handed-in work 0–10 with feedback (instructors); again to regrade."""
        submission = get_submission_for_user(request.user, submission_id)
        services.submission_grade_allowed(submission=submission, by=request.user)
        data = GradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.submission_grade(
            submission=submission,
            by=request.user,
            grade=data.validated_data["grade"],
            feedback_md=data.validated_data.get("feedback", ""),
        )
        return Response(SubmissionOutput(submission).data)


class GradebookApi(APIView):
    @extend_schema(responses=GradebookOutput)
    def get(self, request, course_id):
        """Students × assignments with grades and final grades; a student gets their row only."""
        course = get_course_for_user(request.user, course_id)
        if can_teach_course(request.user, course):
            book = selectors.gradebook(course)
        elif is_course_student(request.user, course):
            book = selectors.gradebook(course, students=[request.user])
        else:
            raise PermissionDenied(_("The gradebook is for the course's instructors and students."))
        return Response(GradebookOutput(_gradebook_data(book)).data)


course = "courses/<uuid:course_id>/"
assignment = f"{course}assignments/<uuid:assignment_id>/"
submission = "submissions/<uuid:submission_id>/"
urlpatterns = [
    path("courses/", CourseListApi.as_view(), name="course-list"),
    path(course, CourseDetailApi.as_view(), name="course-detail"),
    path(f"{course}assignments/", AssignmentListApi.as_view(), name="course-assignment-list"),
    path(assignment, AssignmentDetailApi.as_view(), name="course-assignment-detail"),
    path(
        f"{assignment}submissions/",
        SubmissionListApi.as_view(),
        name="course-submission-list",
    ),
    path(f"{course}grades/", GradebookApi.as_view(), name="course-grades"),
    path(submission, SubmissionDetailApi.as_view(), name="course-submission-detail"),
    path(f"{submission}submit/", SubmissionSubmitApi.as_view(), name="course-submission-submit"),
    path(
        f"{submission}withdraw/",
        SubmissionWithdrawApi.as_view(),
        name="course-submission-withdraw",
    ),
    path(f"{submission}grade/", SubmissionGradeApi.as_view(), name="course-submission-grade"),
]
