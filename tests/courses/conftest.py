"""The course cast: team A is the course. alice (owner) teaches; eddie and dana (editors) are the
students; bob (reviewer) and victor (viewer) follow it; carol (team B) is an outsider."""

import datetime

import pytest
from django.utils import timezone

from apps.courses import services
from apps.documents.services import section_save
from apps.templates_catalog.services import templates_load_all
from tests.factories import add_member, make_user


@pytest.fixture
def templates(db):
    templates_load_all()


@pytest.fixture
def dana(team_a):
    user = make_user("dana")
    add_member(team_a, user, "editor")
    return user


@pytest.fixture
def course(templates, team_a, alice, dana):
    return services.course_create(
        title="ML System Design", instructor=alice, team=team_a, description="Autumn cohort"
    )


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def hw1(course, alice):
    return services.assignment_create(
        course=course, by=alice, kind="homework", section_key="hw1_intro", due_at=in_days(7)
    )


@pytest.fixture
def hw2(course, alice):
    return services.assignment_create(
        course=course, by=alice, kind="homework", section_key="hw2_data", due_at=in_days(14)
    )


@pytest.fixture
def project(course, alice):
    return services.assignment_create(course=course, by=alice, kind="project", due_at=in_days(30))


def write(submission, key: str, text: str = "We frame the problem first.") -> None:
    """Write `text` into section `key` of the submission's document, as its student."""
    section = submission.document.sections.select_related("spec", "document").get(key=key)
    section_save(section=section, body_md=text, author=submission.student)


def handed_in(assignment, student, key=None):
    """A submission of `student` with its step written, submitted."""
    submission = services.submission_start(assignment=assignment, student=student)
    write(submission, key or assignment.section_key or "problem")
    return services.submission_submit(submission=submission, by=student)


def graded(assignment, student, grade, instructor):
    submission = handed_in(assignment, student)
    return services.submission_grade(submission=submission, by=instructor, grade=grade)
