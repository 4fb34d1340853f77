"""Course mode in a real browser: the instructor sets a homework, a student starts, writes and
submits it, the instructor grades it, and the gradebook shows the final grade."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.courses import services
from apps.courses.models import Submission
from apps.documents.services import section_save
from apps.templates_catalog.services import templates_load_all


@pytest.fixture
def course(team_a, alice):
    templates_load_all()
    return services.course_create(
        title="ML System Design, autumn", instructor=alice, team=team_a, description="MOBC cohort"
    )


@pytest.fixture
def graded_project(course, alice, eddie):
    """The final project, already handed in by eddie and graded 9."""
    project = services.assignment_create(
        course=course,
        by=alice,
        kind="project",
        due_at=timezone.now() + datetime.timedelta(days=40),
    )
    submission = services.submission_start(assignment=project, student=eddie)
    problem = submission.document.sections.select_related("spec", "document").get(key="problem")
    section_save(section=problem, body_md="Grow ad revenue with better CTR.", author=eddie)
    services.submission_submit(submission=submission, by=eddie)
    services.submission_grade(submission=submission, by=alice, grade=9)
    return project


def test_a_homework_from_assignment_to_the_gradebook(
    signed_in, screenshot, course, graded_project, alice, eddie
):
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=7))

    # The instructor sets homework 1 from the course page.
    teacher = signed_in(alice).new_page()
    teacher.goto(f"/courses/{course.pk}/")
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Intro to ML system design").check()
    teacher.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    teacher.get_by_label("Instructions").fill("Frame **your** project with the three levels.")
    teacher.get_by_role("button", name="Set assignment").click()
    expect(teacher.locator("h1")).to_have_text(
        "Intro to ML system design (Введение в дизайн систем ML)"
    )
    expect(teacher.locator(".prose strong")).to_have_text("your")

    # The student finds it, starts a submission and writes the step in the editor.
    student = signed_in(eddie).new_page()
    student.goto("/courses/")
    student.get_by_role("link", name="ML System Design, autumn").click()
    student.get_by_role("link", name="Intro to ML system design").click()
    student.get_by_role("button", name="Start my submission").click()
    expect(student.locator("h1")).to_have_text("My submission")
    student.get_by_role("link", name="Open the document to write").click()
    expect(student.locator("h1")).to_contain_text("Intro to ML system design")
    submission = Submission.objects.get(student=eddie, assignment__hw_number=1)
    student.goto(f"/documents/{submission.document_id}/sections/hw1_intro/edit/")
    student.get_by_label("Markdown").fill("We rank feed ads by predicted CTR. Is ML needed? Yes.")
    student.get_by_role("button", name="Save section").click()
    expect(student.get_by_text("We rank feed ads by predicted CTR.")).to_be_visible()

    # Back on the assignment, the student submits.
    student.get_by_role("link", name="Courses").click()
    student.get_by_role("link", name="ML System Design, autumn").click()
    student.get_by_role("link", name="Intro to ML system design").click()
    student.get_by_role("link", name="Submit…").click()
    student.get_by_role("button", name="Submit", exact=True).click()
    expect(student.locator(".messages")).to_contain_text("Submitted.")
    expect(student.locator(".page-header .badge--in_review")).to_have_text("Submitted")

    # The instructor sees the hand-in count, grades with feedback.
    teacher.goto(f"/courses/{course.pk}/")
    expect(teacher.locator("table.assignments tbody tr").first).to_contain_text("1 / 1")
    screenshot(teacher, "course-page")
    teacher.get_by_role("link", name="Intro to ML system design").click()
    teacher.get_by_role("link", name="Grade eddie").click()
    teacher.get_by_label("Grade (0–10)").fill("8.5")
    teacher.get_by_label("Feedback").fill("Clear framing; quantify the **impact**.")
    teacher.get_by_role("button", name="Grade", exact=True).click()
    expect(teacher.locator(".messages")).to_contain_text("graded 8.5 / 10")

    # The gradebook: 0.4 × 8.5 + 0.6 × 9 = 3.4 + 5.4 = 8.80.
    teacher.goto(f"/courses/{course.pk}/gradebook/")
    row = teacher.locator("table.gradebook tbody tr", has_text="eddie")
    expect(row.locator(".gradebook__final")).to_have_text("8.80")
    screenshot(teacher, "course-gradebook")

    # The student sees the grade, the feedback and their own row only.
    student.goto(f"/courses/submissions/{submission.pk}/")
    expect(student.locator(".grade-big")).to_contain_text("8.5")
    expect(student.locator(".feedback strong")).to_have_text("impact")
    student.goto(f"/courses/{course.pk}/gradebook/")
    expect(student.locator("table.gradebook tbody tr")).to_have_count(1)
    expect(student.locator(".gradebook__final")).to_have_text("8.80")
