"""HTML pages of course mode: course list, course page, assignments, submissions, gradebook.

Every page fetches through apps.accounts.permissions (another team's course, or another
student's submission, is a 404) and writes through apps.courses.services.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Team
from apps.accounts.permissions import (
    can_grade_submission,
    can_submit_submission,
    can_teach_course,
    get_assignment_for_user,
    get_course_for_user,
    get_submission_for_user,
    is_course_student,
)
from apps.courses import selectors, services
from apps.courses.forms import (
    NEW_TEAM,
    AssignmentEditForm,
    AssignmentForm,
    CourseForm,
    GradeForm,
    StartForm,
    StudentAddForm,
)
from apps.courses.models import Assignment, Submission


def _course_roles(user, course) -> dict:
    return {
        "is_instructor": can_teach_course(user, course),
        "is_student": is_course_student(user, course),
    }


# Courses -------------------------------------------------------------------------------------


def _course_list_page(request, form: CourseForm, *, status: int = 200):
    courses = selectors.course_list_for_user(request.user)
    context = {
        "teaching": [c for c in courses if c.user_role == "owner"],
        "studying": [c for c in courses if c.user_role == "editor"],
        "other": [c for c in courses if c.user_role not in {"owner", "editor"}],
        "form": form,
    }
    return render(request, "courses/list.html", context, status=status)


@login_required
def course_list(request):
    """My courses as instructor and as student, and a form to create one."""
    teams = list(selectors.teams_to_convert(request.user))
    return _course_list_page(request, CourseForm(teams=teams))


@require_POST
@login_required
def course_create(request):
    teams = list(selectors.teams_to_convert(request.user))
    form = CourseForm(request.POST, teams=teams)
    if form.is_valid():
        team = None
        if form.cleaned_data["team"] != NEW_TEAM:
            team = Team.objects.filter(pk=form.cleaned_data["team"]).first()
        try:
            course = services.course_create(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                instructor=request.user,
                team=team,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Course “%(title)s” created. Add your students, then set the first homework.")
                % {"title": course.title},
            )
            return redirect("courses:detail", course.pk)
    return _course_list_page(request, form, status=400)


def _course_page(request, course, *, student_form=None, status=200):
    user = request.user
    roles = _course_roles(user, course)
    assignments = selectors.course_assignments(course, user=user if roles["is_student"] else None)
    now = timezone.now()
    for assignment in assignments:
        mine = getattr(assignment, "mine", None)
        assignment.overdue = roles["is_student"] and selectors.is_overdue(assignment, mine, now)
    context = {
        "course": course,
        "assignments": assignments,
        "students": selectors.course_students(course),
        "instructors": selectors.course_instructors(course),
        "student_form": student_form or (StudentAddForm() if roles["is_instructor"] else None),
        **roles,
    }
    return render(request, "courses/detail.html", context, status=status)


@login_required
def course_detail(request, course_id):
    """Assignments with their due dates; my status (students) or hand-in counts (instructors)."""
    course = get_course_for_user(request.user, course_id)
    return _course_page(request, course)


@require_POST
@login_required
def student_add(request, course_id):
    course = get_course_for_user(request.user, course_id, teach=True)
    form = StudentAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.course_student_add(
                course=course, by=request.user, identifier=form.cleaned_data["user"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s joined the course as a student.")
                % {"name": membership.user.get_username()},
            )
            return redirect("courses:detail", course.pk)
    return _course_page(request, course, student_form=form, status=400)


# Assignments ---------------------------------------------------------------------------------


def _assignment_form(course, data=None):
    steps = selectors.homework_steps(course.template)
    existing = list(course.assignments.values_list("kind", "section_key"))
    return AssignmentForm(
        data,
        steps=steps,
        taken={key for kind, key in existing if kind == Assignment.Kind.HOMEWORK},
        project_taken=any(kind == Assignment.Kind.PROJECT for kind, _key in existing),
    )


@login_required
def assignment_new(request, course_id):
    """Set a homework step or the final project, with its due date and instructions."""
    course = get_course_for_user(request.user, course_id, teach=True)
    form = _assignment_form(course, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind, key = form.kind_and_key()
            try:
                assignment = services.assignment_create(
                    course=course,
                    by=request.user,
                    kind=kind,
                    section_key=key,
                    title=form.cleaned_data["title"],
                    instructions_md=form.cleaned_data["instructions"],
                    due_at=form.cleaned_data["due_at"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("“%(title)s” is set.") % {"title": assignment.title})
                return redirect("courses:assignment", course.pk, assignment.pk)
        status = 400
    context = {"course": course, "form": form, "timezone": timezone.get_current_timezone_name()}
    return render(request, "courses/assignment_new.html", context, status=status)


@login_required
def assignment_detail(request, course_id, assignment_id):
    """Instructors: every student's submission. Students: start, open and submit theirs."""
    course = get_course_for_user(request.user, course_id)
    assignment = get_assignment_for_user(request.user, course, assignment_id)
    roles = _course_roles(request.user, course)
    context = {
        "course": course,
        "assignment": assignment,
        "step": selectors.assignment_step(assignment),
        "now": timezone.now(),
        **roles,
    }
    if roles["is_instructor"]:
        roster = selectors.assignment_roster(assignment)
        context["roster"] = roster
        context["handed_in"] = sum(1 for r in roster if r.submission and r.submission.is_handed_in)
    elif roles["is_student"]:
        mine = selectors.submission_for(assignment, request.user)
        context["mine"] = mine
        context["overdue"] = selectors.is_overdue(assignment, mine)
        if mine is None:
            previous = selectors.previous_homework_title(assignment, request.user)
            context["previous_title"] = previous
            context["start_form"] = StartForm(initial={"carry_over": bool(previous)})
    return render(request, "courses/assignment.html", context)


@login_required
def assignment_edit(request, course_id, assignment_id):
    """Change the title, due date or instructions of an assignment."""
    course = get_course_for_user(request.user, course_id, teach=True)
    assignment = get_assignment_for_user(request.user, course, assignment_id)
    status = 200
    if request.method == "POST":
        form = AssignmentEditForm(request.POST)
        if form.is_valid():
            try:
                services.assignment_update(
                    assignment=assignment,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    instructions_md=form.cleaned_data["instructions"],
                    due_at=form.cleaned_data["due_at"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Assignment saved."))
                return redirect("courses:assignment", course.pk, assignment.pk)
        status = 400
    else:
        form = AssignmentEditForm(
            initial={
                "title": assignment.title,
                "due_at": timezone.localtime(assignment.due_at),
                "instructions": assignment.instructions_md,
            }
        )
    context = {
        "course": course,
        "assignment": assignment,
        "form": form,
        "timezone": timezone.get_current_timezone_name(),
    }
    return render(request, "courses/assignment_edit.html", context, status=status)


@require_POST
@login_required
def submission_start(request, course_id, assignment_id):
    course = get_course_for_user(request.user, course_id)
    assignment = get_assignment_for_user(request.user, course, assignment_id)
    existing = selectors.submission_for(assignment, request.user)
    if existing is not None:
        return redirect("courses:submission", existing.pk)
    form = StartForm(request.POST)
    carry_over = form.is_valid() and form.cleaned_data["carry_over"]
    try:
        submission = services.submission_start(
            assignment=assignment, student=request.user, carry_over=carry_over
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("courses:assignment", course.pk, assignment.pk)
    messages.success(
        request,
        _("Your submission is started: open the document to write it, then submit it here."),
    )
    return redirect("courses:submission", submission.pk)


# Submissions ---------------------------------------------------------------------------------


def _submission_page(request, submission, *, form=None, status=200):
    user = request.user
    assignment = submission.assignment
    can_grade = can_grade_submission(user, submission)
    suggestion = selectors.grade_suggestion(submission, user) if can_grade else None
    if can_grade and form is None:
        initial = {"feedback": submission.feedback_md}
        if submission.grade is not None:
            initial["grade"] = submission.grade
        elif suggestion.grade is not None:
            initial["grade"] = suggestion.grade
        form = GradeForm(initial=initial)
    current_hash = selectors.submission_content_hash(submission)
    context = {
        "course": assignment.course,
        "assignment": assignment,
        "submission": submission,
        "document": submission.document,
        "can_submit": can_submit_submission(user, submission),
        "can_grade": can_grade,
        "is_own": submission.student_id == user.pk,
        "form": form if can_grade else None,
        "suggestion": suggestion,
        "changed_since_submit": bool(submission.submitted_hash)
        and submission.submitted_hash != current_hash,
        "changed_since_grade": bool(submission.graded_hash)
        and submission.graded_hash != current_hash,
        "overdue": selectors.is_overdue(assignment, submission),
    }
    return render(request, "courses/submission.html", context, status=status)


@login_required
def submission_detail(request, submission_id):
    """One submission: its status and grade; instructors grade it here."""
    submission = get_submission_for_user(request.user, submission_id)
    return _submission_page(request, submission)


def _submission_action(request, submission_id, action, done: str):
    submission = get_submission_for_user(request.user, submission_id)
    try:
        action(submission=submission, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("courses:submission", submission.pk)


@require_POST
@login_required
def submission_submit(request, submission_id):
    return _submission_action(
        request,
        submission_id,
        services.submission_submit,
        _("Submitted. Your instructor can grade it now."),
    )


@require_POST
@login_required
def submission_withdraw(request, submission_id):
    return _submission_action(
        request,
        submission_id,
        services.submission_withdraw,
        _("Withdrawn: it is a draft again. Submit it when it is ready."),
    )


@require_POST
@login_required
def submission_grade(request, submission_id):
    submission = get_submission_for_user(request.user, submission_id)
    services.submission_grade_allowed(submission=submission, by=request.user)
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            services.submission_grade(
                submission=submission,
                by=request.user,
                grade=form.cleaned_data["grade"],
                feedback_md=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s's submission is graded %(grade)s / 10.")
                % {"name": submission.student.get_username(), "grade": submission.grade},
            )
            return redirect(
                "courses:assignment", submission.assignment.course_id, submission.assignment_id
            )
    return _submission_page(request, submission, form=form, status=400)


# Gradebook -----------------------------------------------------------------------------------


def _gradebook_for(request, course_id):
    course = get_course_for_user(request.user, course_id)
    if can_teach_course(request.user, course):
        return course, selectors.gradebook(course)
    if is_course_student(request.user, course):
        return course, selectors.gradebook(course, students=[request.user])
    raise PermissionDenied(_("The gradebook is for the course's instructors and students."))


@login_required
def gradebook(request, course_id):
    """Students × assignments with grades, late marks and final grades (a student: their row)."""
    course, book = _gradebook_for(request, course_id)
    context = {
        "course": course,
        "book": book,
        "is_instructor": can_teach_course(request.user, course),
        "statuses": Submission.Status,
    }
    return render(request, "courses/gradebook.html", context)


@login_required
def gradebook_csv(request, course_id):
    """The gradebook as a CSV file (the rows the user may see)."""
    course, book = _gradebook_for(request, course_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(course.title) or "course"
    response["Content-Disposition"] = f'attachment; filename="{name}-gradebook.csv"'
    writer = csv.writer(response)
    writer.writerows(selectors.gradebook_csv_rows(book))
    return response
