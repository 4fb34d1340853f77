"""Course services: each happy path and each refusal, and a refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import Membership, Team
from apps.courses import services
from apps.courses.models import Assignment, Course, Submission
from apps.documents.models import Document
from apps.templates_catalog.models import DesignTemplate
from tests.courses.conftest import handed_in, in_days, write
from tests.factories import make_team, make_user

pytestmark = pytest.mark.django_db


def counts():
    return (
        Team.objects.count(),
        Course.objects.count(),
        Assignment.objects.count(),
        Submission.objects.count(),
        Document.objects.count(),
        Membership.objects.count(),
    )


# --- courses ----------------------------------------------------------------------------------


def test_an_instructor_creates_a_course_with_its_own_team(templates, carol):
    course = services.course_create(title="  MLSD 2024 ", instructor=carol, description="Cohort")
    assert (course.title, course.description) == ("MLSD 2024", "Cohort")
    assert course.team.name == "MLSD 2024"
    assert Membership.objects.get(team=course.team).user == carol
    assert Membership.objects.get(team=course.team).role == "owner"
    assert (course.template.key, course.template.is_latest) == ("course_hw", True)


def test_an_owner_turns_their_team_into_a_course(templates, team_a, alice):
    course = services.course_create(title="MLSD", instructor=alice, team=team_a)
    assert course.team == team_a and course.created_by == alice


@pytest.mark.parametrize(
    ("title", "who", "message"),
    [
        ("", "alice", "Give the course a title."),
        ("x" * 101, "alice", "100 characters"),
        ("MLSD", "eddie", "a team you own"),
    ],
)
def test_a_course_is_refused_without_a_title_or_in_a_team_not_owned(
    templates, cast, team_a, title, who, message
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.course_create(title=title, instructor=cast[who], team=team_a)
    assert message in str(refused.value)
    assert counts() == before


def test_a_team_is_a_course_once(course, alice, team_a):
    before = counts()
    with pytest.raises(ValidationError, match="already a course"):
        services.course_create(title="Again", instructor=alice, team=team_a)
    assert counts() == before


def test_a_course_needs_the_homework_template_loaded_and_then_makes_no_team(db, carol):
    before = counts()
    with pytest.raises(ValidationError, match="load_templates"):
        services.course_create(title="MLSD", instructor=carol)
    assert counts() == before


def test_instructors_rename_a_course_and_students_cannot(course, alice, eddie):
    services.course_update(course=course, by=alice, title="MLSD, autumn", description="")
    course.refresh_from_db()
    assert (course.title, course.description) == ("MLSD, autumn", "")
    with pytest.raises(PermissionDenied):
        services.course_update(course=course, by=eddie, title="Mine")
    with pytest.raises(ValidationError):
        services.course_update(course=course, by=alice, title="  ")
    course.refresh_from_db()
    assert course.title == "MLSD, autumn"


def test_the_instructor_adds_a_student_as_an_editor(course, alice):
    frank = make_user("frank")
    membership = services.course_student_add(
        course=course, by=alice, identifier="frank@example.com"
    )
    assert (membership.user, membership.role) == (frank, "editor")


@pytest.mark.parametrize(
    ("who", "identifier", "error"),
    [
        ("eddie", "frank", PermissionDenied),
        ("bob", "frank", PermissionDenied),
        ("alice", "nobody", ValidationError),
        ("alice", "dana", ValidationError),
    ],
)
def test_adding_a_student_is_refused_to_non_instructors_and_for_unknown_or_present_users(
    course, cast, dana, who, identifier, error
):
    make_user("frank")
    before = counts()
    with pytest.raises(error):
        services.course_student_add(course=course, by=cast[who], identifier=identifier)
    assert counts() == before


# --- assignments ------------------------------------------------------------------------------


def test_a_homework_takes_its_step_title_template_and_rendered_instructions(course, alice):
    due = in_days(7)
    hw = services.assignment_create(
        course=course,
        by=alice,
        kind="homework",
        section_key="hw3_model",
        due_at=due,
        instructions_md="Read **HU ch. 6**. <script>x</script>",
    )
    assert (hw.kind, hw.section_key, hw.hw_number) == ("homework", "hw3_model", 3)
    assert hw.title == "Model selection & training (Выбор моделей и обучение)"
    assert hw.template == course.template and hw.due_at == due
    assert "<strong>HU ch. 6</strong>" in hw.instructions_html
    assert "<script>" not in hw.instructions_html


def test_the_project_is_an_ml_system_design_document_with_a_custom_title(course, alice):
    project = services.assignment_create(
        course=course, by=alice, kind="project", section_key="hw1_intro", title="Capstone",
        due_at=in_days(30),
    )  # fmt: skip
    assert (project.kind, project.section_key, project.hw_number) == ("project", "", None)
    assert project.title == "Capstone"
    assert project.template == DesignTemplate.objects.get(key="ml_system_design", is_latest=True)


@pytest.mark.parametrize(
    ("who", "changes", "error", "message"),
    [
        ("eddie", {}, PermissionDenied, "instructors"),
        ("bob", {}, PermissionDenied, "instructors"),
        ("alice", {"section_key": "wrap"}, ValidationError, "homework steps"),
        ("alice", {"section_key": "problem"}, ValidationError, "homework steps"),
        ("alice", {"kind": "quiz"}, ValidationError, "final project"),
        ("alice", {"due_at": in_days(-1)}, ValidationError, "future"),
        ("alice", {"due_at": in_days(6 * 366)}, ValidationError, "five years"),
        ("alice", {"due_at": "tomorrow"}, ValidationError, "due date"),
        ("alice", {"instructions_md": "x" * 10_001}, ValidationError, "10,000"),
        ("alice", {"title": "x" * 201}, ValidationError, "200"),
    ],
)
def test_an_assignment_is_refused_for_bad_input_or_to_non_instructors(
    course, cast, who, changes, error, message
):
    values = {"kind": "homework", "section_key": "hw2_data", "due_at": in_days(3), **changes}
    before = counts()
    with pytest.raises(error) as refused:
        services.assignment_create(course=course, by=cast[who], **values)
    assert message in str(refused.value)
    assert counts() == before


def test_a_step_and_the_project_are_each_assigned_once(hw1, project, alice):
    before = counts()
    with pytest.raises(ValidationError, match="homework 1"):
        services.assignment_create(
            course=hw1.course, by=alice, kind="homework", section_key="hw1_intro",
            due_at=in_days(9),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="already has a final project"):
        services.assignment_create(course=hw1.course, by=alice, kind="project", due_at=in_days(9))
    assert counts() == before


def test_the_instructor_moves_a_due_date_and_rewrites_instructions(hw1, alice):
    later = in_days(10)
    services.assignment_update(
        assignment=hw1, by=alice, title="HW 1", instructions_md="*New*", due_at=later
    )
    hw1.refresh_from_db()
    assert (hw1.title, hw1.due_at, hw1.instructions_html) == ("HW 1", later, "<p><em>New</em></p>")


def test_an_assignment_update_is_refused_to_students_and_for_a_past_due_date(hw1, alice, eddie):
    due = hw1.due_at
    with pytest.raises(PermissionDenied):
        services.assignment_update(assignment=hw1, by=eddie, title="Mine")
    with pytest.raises(ValidationError, match="future"):
        services.assignment_update(assignment=hw1, by=alice, title="HW", due_at=in_days(-2))
    with pytest.raises(ValidationError):
        services.assignment_update(assignment=hw1, by=alice, title="")
    hw1.refresh_from_db()
    assert (hw1.title, hw1.due_at) == (
        "Intro to ML system design (Введение в дизайн систем ML)",
        due,
    )


def test_an_unchanged_past_due_date_does_not_block_other_edits(hw1, alice, monkeypatch):
    after_due = hw1.due_at + datetime.timedelta(days=1)
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: after_due)
    services.assignment_update(assignment=hw1, by=alice, title="HW 1", due_at=hw1.due_at)
    hw1.refresh_from_db()
    assert hw1.title == "HW 1"


# --- submissions ------------------------------------------------------------------------------


def test_a_student_starts_a_private_document_of_the_homework_template(hw1, eddie):
    submission = services.submission_start(assignment=hw1, student=eddie)
    document = submission.document
    assert (submission.status, submission.student) == ("draft", eddie)
    assert (document.private_to, document.created_by, document.team) == (
        eddie,
        eddie,
        hw1.course.team,
    )
    assert document.template == hw1.template
    assert document.title == f"{hw1.title} — eddie"
    assert list(document.sections.values_list("key", flat=True))[:2] == ["hw1_intro", "hw2_data"]


def test_the_project_starts_an_ml_system_design_document(project, eddie):
    submission = services.submission_start(assignment=project, student=eddie)
    assert submission.document.template.key == "ml_system_design"
    assert submission.document.private_to == eddie


@pytest.mark.parametrize("who", ["alice", "bob", "victor"])
def test_only_students_start_submissions(hw1, cast, who):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.submission_start(assignment=hw1, student=cast[who])
    assert counts() == before


def test_a_student_starts_an_assignment_once(hw1, eddie):
    services.submission_start(assignment=hw1, student=eddie)
    before = counts()
    with pytest.raises(ValidationError, match="already started"):
        services.submission_start(assignment=hw1, student=eddie)
    assert counts() == before


def test_a_homework_starts_from_the_students_previous_one_unless_asked_not_to(
    hw1, hw2, eddie, dana
):
    first = services.submission_start(assignment=hw1, student=eddie)
    write(first, "hw1_intro", "Ads ranking: *why* ML.")
    second = services.submission_start(assignment=hw2, student=eddie)
    copied = second.document.sections.get(key="hw1_intro")
    assert copied.body_md == "Ads ranking: *why* ML." and copied.version == 2
    assert second.document.sections.get(key="hw2_data").is_empty

    services.submission_start(assignment=hw1, student=dana)
    fresh = services.submission_start(assignment=hw2, student=dana, carry_over=False)
    assert all(s.is_empty for s in fresh.document.sections.all())


def test_a_student_submits_a_written_draft_with_its_time_and_content_hash(hw1, eddie):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    services.submission_submit(submission=submission, by=eddie)
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.submitted_at is not None
    assert len(submission.submitted_hash) == 64 and not submission.is_late


def test_submitting_is_refused_for_an_unwritten_step_for_others_and_twice(hw1, alice, eddie, dana):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw2_data")  # not the step of this homework
    with pytest.raises(ValidationError, match="Intro to ML system design"):
        services.submission_submit(submission=submission, by=eddie)
    write(submission, "hw1_intro")
    for other in (alice, dana):
        with pytest.raises(PermissionDenied):
            services.submission_submit(submission=submission, by=other)
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at) == ("draft", None)
    services.submission_submit(submission=submission, by=eddie)
    with pytest.raises(ValidationError, match="already been handed in"):
        services.submission_submit(submission=submission, by=eddie)


def test_an_empty_project_cannot_be_submitted(project, eddie):
    submission = services.submission_start(assignment=project, student=eddie)
    with pytest.raises(ValidationError, match="empty"):
        services.submission_submit(submission=submission, by=eddie)


def test_a_student_who_stopped_being_a_student_cannot_submit(hw1, eddie, team_a):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    Membership.objects.filter(team=team_a, user=eddie).update(role="viewer")
    submission = Submission.objects.get(pk=submission.pk)
    with pytest.raises(PermissionDenied):
        services.submission_submit(submission=submission, by=eddie)


def test_a_student_withdraws_a_handed_in_submission_before_it_is_graded(hw1, alice, eddie):
    submission = handed_in(hw1, eddie)
    services.submission_withdraw(submission=submission, by=eddie)
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at, submission.submitted_hash) == (
        "draft", None, ""
    )  # fmt: skip
    with pytest.raises(ValidationError, match="not been handed in"):
        services.submission_withdraw(submission=submission, by=eddie)
    services.submission_submit(submission=submission, by=eddie)
    services.submission_grade(submission=submission, by=alice, grade=8)
    with pytest.raises(ValidationError, match="graded"):
        services.submission_withdraw(submission=submission, by=eddie)
    with pytest.raises(PermissionDenied):
        services.submission_withdraw(submission=submission, by=alice)
    submission.refresh_from_db()
    assert (submission.status, submission.grade) == ("graded", Decimal("8.0"))


def test_the_instructor_grades_with_feedback_and_the_grade_records_the_content(hw1, alice, eddie):
    submission = handed_in(hw1, eddie)
    services.submission_grade(
        submission=submission, by=alice, grade="7,5", feedback_md="Good **framing**."
    )
    submission.refresh_from_db()
    assert (submission.status, submission.grade, submission.graded_by) == (
        "graded", Decimal("7.5"), alice
    )  # fmt: skip
    assert submission.feedback_html == "<p>Good <strong>framing</strong>.</p>"
    assert submission.graded_hash == submission.submitted_hash
    write(submission, "hw1_intro", "Changed after grading.")
    services.submission_grade(submission=submission, by=alice, grade=Decimal("9"))
    submission.refresh_from_db()
    assert (
        submission.grade == Decimal("9.0") and submission.graded_hash != submission.submitted_hash
    )


@pytest.mark.parametrize(
    ("grade", "message"),
    [(-1, "0 to 10"), ("10.5", "0 to 10"), ("7.25", "one decimal"), ("abc", "0 to 10"),
     ("NaN", "0 to 10"), ("Infinity", "0 to 10")],
)  # fmt: skip
def test_a_grade_outside_0_to_10_or_finer_than_a_tenth_is_refused(
    hw1, alice, eddie, grade, message
):
    submission = handed_in(hw1, eddie)
    with pytest.raises(ValidationError, match=message):
        services.submission_grade(submission=submission, by=alice, grade=grade)
    submission.refresh_from_db()
    assert (submission.status, submission.grade) == ("submitted", None)


def test_grading_is_refused_for_a_draft_and_to_students(hw1, alice, eddie, dana, bob):
    draft = services.submission_start(assignment=hw1, student=eddie)
    with pytest.raises(ValidationError, match="draft"):
        services.submission_grade(submission=draft, by=alice, grade=5)
    write(draft, "hw1_intro")
    services.submission_submit(submission=draft, by=eddie)
    for other in (eddie, dana, bob):
        with pytest.raises(PermissionDenied):
            services.submission_grade(submission=draft, by=other, grade=10)
    with pytest.raises(ValidationError, match="10,000"):
        services.submission_grade(submission=draft, by=alice, grade=5, feedback_md="x" * 10_001)
    draft.refresh_from_db()
    assert (draft.status, draft.grade, draft.feedback_md) == ("submitted", None, "")


# --- late marks, with the clock under control ---------------------------------------------------


def test_work_handed_in_after_the_due_date_is_accepted_and_marked_late(hw1, eddie, monkeypatch):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    one_minute_late = hw1.due_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: one_minute_late)
    services.submission_submit(submission=submission, by=eddie)
    submission = Submission.objects.select_related("assignment").get(pk=submission.pk)
    assert submission.submitted_at == one_minute_late and submission.is_late


def test_work_handed_in_exactly_at_the_due_date_is_on_time(hw1, eddie, monkeypatch):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: hw1.due_at)
    services.submission_submit(submission=submission, by=eddie)
    assert not Submission.objects.get(pk=submission.pk).is_late


def test_an_extension_clears_the_late_mark(hw1, alice, eddie, monkeypatch):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    late = hw1.due_at + datetime.timedelta(hours=2)
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: late)
    services.submission_submit(submission=submission, by=eddie)
    assert Submission.objects.get(pk=submission.pk).is_late
    services.assignment_update(assignment=hw1, by=alice, due_at=late + datetime.timedelta(days=1))
    assert not Submission.objects.get(pk=submission.pk).is_late


def test_a_student_of_another_course_cannot_start_this_one(hw1, carol, templates):
    other = services.course_create(title="Other", instructor=carol)
    frank = make_user("frank")
    make_team("Elsewhere", {frank: "editor"})
    services.course_student_add(course=other, by=carol, identifier="frank")
    with pytest.raises(PermissionDenied):
        services.submission_start(assignment=hw1, student=frank)
