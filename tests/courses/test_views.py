"""Course pages: the permission ladder on every page (anonymous → carol → follower → student →
instructor), what each person sees, and forms that refuse bad input without changing anything."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.courses import services
from apps.courses.models import Assignment, Course, Submission
from apps.documents.models import Document
from tests.courses.conftest import graded, handed_in, write
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def counts():
    return (
        Course.objects.count(),
        Assignment.objects.count(),
        Submission.objects.count(),
        Document.objects.count(),
    )


@pytest.fixture
def eddies(hw1, eddie):
    """Eddie's handed-in homework 1."""
    return handed_in(hw1, eddie)


def pages(course, assignment, submission):
    """(method, url, who may) for every course page; who: "member", "student", "own" (the
    submission's student and instructors), "grader" (instructors, on a submission) or
    "instructor"."""
    c, a, s = course.pk, assignment.pk, submission.pk
    return [
        ("get", reverse("courses:detail", args=[c]), "member"),
        ("get", reverse("courses:assignment", args=[c, a]), "member"),
        ("get", reverse("courses:assignment_new", args=[c]), "instructor"),
        ("post", reverse("courses:assignment_new", args=[c]), "instructor"),
        ("get", reverse("courses:assignment_edit", args=[c, a]), "instructor"),
        ("post", reverse("courses:assignment_edit", args=[c, a]), "instructor"),
        ("post", reverse("courses:student_add", args=[c]), "instructor"),
        ("get", reverse("courses:gradebook", args=[c]), "student"),
        ("get", reverse("courses:gradebook_csv", args=[c]), "student"),
        ("get", reverse("courses:submission", args=[s]), "own"),
        ("post", reverse("courses:submission_grade", args=[s]), "grader"),
    ]


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, course, hw1, eddies):
    for method, url, _who in pages(course, hw1, eddies):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert client.get(reverse("courses:list")).status_code == 302


def test_another_teams_owner_gets_404_on_every_course_page(client, carol, course, hw1, eddies):
    login(client, carol)
    before = counts()
    for method, url, _who in pages(course, hw1, eddies):
        assert getattr(client, method)(url).status_code == 404, url
    post = client.post(reverse("courses:submission_start", args=[course.pk, hw1.pk]))
    assert post.status_code == 404
    assert client.post(reverse("courses:submission_submit", args=[eddies.pk])).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("who", ["bob", "victor"])
def test_followers_read_the_course_and_assignments_and_nothing_else(
    client, cast, course, hw1, eddies, who
):
    login(client, cast[who])
    before = counts()
    for method, url, allowed in pages(course, hw1, eddies):
        status = getattr(client, method)(url).status_code
        if allowed == "member":
            assert status == 200, url
        elif allowed in {"own", "grader"}:
            assert status == 404, url
        else:
            assert status == 403, url
    start = client.post(reverse("courses:submission_start", args=[course.pk, hw1.pk]))
    assert start.status_code == 403
    assert client.get(reverse("documents:detail", args=[eddies.document_id])).status_code == 404
    assert counts() == before


def test_a_student_reads_their_own_work_and_is_refused_instructor_pages(
    client, eddie, course, hw1, eddies
):
    login(client, eddie)
    for method, url, allowed in pages(course, hw1, eddies):
        status = getattr(client, method)(url).status_code
        assert status == (403 if allowed in {"instructor", "grader"} else 200), url


def test_a_student_gets_404_for_another_students_submission_and_its_document(
    client, dana, course, hw1, eddies
):
    login(client, dana)
    assert client.get(reverse("courses:submission", args=[eddies.pk])).status_code == 404
    assert client.get(reverse("documents:detail", args=[eddies.document_id])).status_code == 404
    assert client.post(reverse("courses:submission_withdraw", args=[eddies.pk])).status_code == 404
    page = client.get(reverse("courses:assignment", args=[course.pk, hw1.pk]))
    assert b"eddie" not in page.content
    eddies.refresh_from_db()
    assert eddies.status == "submitted"


def test_the_instructor_walks_every_page(client, alice, course, hw1, eddies):
    login(client, alice)
    for method, url, _who in pages(course, hw1, eddies):
        if method == "get":
            assert client.get(url).status_code == 200, url


# --- course list and creation ------------------------------------------------------------------


def test_the_course_list_splits_teaching_and_studying_and_has_an_empty_state(
    client, alice, eddie, carol, course
):
    page = login(client, alice).get(reverse("courses:list")).content.decode()
    assert "Teaching" in page and "ML System Design" in page and "Studying" not in page
    page = login(client, eddie).get(reverse("courses:list")).content.decode()
    assert "Studying" in page and "ML System Design" in page
    page = login(client, carol).get(reverse("courses:list")).content.decode()
    assert "No courses yet" in page and str(course.pk) not in page


def test_an_instructor_creates_a_course_from_the_list_page(client, carol, templates):
    response = login(client, carol).post(
        reverse("courses:create"), {"title": "MLSD", "description": "", "team": ""}
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "courses:detail", args=[course.pk]
    )
    assert course.team.name == "MLSD"


def test_an_owner_turns_their_team_into_a_course_and_cannot_pick_someone_elses(
    client, alice, carol, team_a, team_b, templates
):
    response = login(client, carol).post(
        reverse("courses:create"), {"title": "Steal", "team": str(team_a.pk)}
    )
    assert response.status_code == 400 and not Course.objects.exists()
    response = login(client, alice).post(
        reverse("courses:create"), {"title": "MLSD", "team": str(team_a.pk)}
    )
    assert response.status_code == 302
    assert Course.objects.get().team == team_a


def test_a_course_without_a_title_shows_the_error(client, carol, templates):
    response = login(client, carol).post(reverse("courses:create"), {"title": " "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Course.objects.exists()


# --- course page ---------------------------------------------------------------------------------


def test_the_course_page_shows_students_their_status_and_instructors_the_counts(
    client, alice, eddie, dana, course, hw1, hw2, eddies
):
    page = login(client, eddie).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "Submitted" in page and "Not started" in page and "Add student" not in page
    page = login(client, alice).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "1 / 2" in page and "0 / 2" in page and "Add student" in page and "dana" in page


def test_a_course_without_assignments_says_what_to_do(client, alice, eddie, course):
    page = login(client, alice).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "No assignments yet" in page and "New assignment" in page
    page = login(client, eddie).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "has not set any assignment yet" in page


def test_the_instructor_adds_a_student_from_the_course_page(client, alice, course):
    make_user("frank")
    url = reverse("courses:student_add", args=[course.pk])
    response = login(client, alice).post(url, {"user": "frank"})
    assert response.status_code == 302
    assert course.team.memberships.get(user__username="frank").role == "editor"
    refused = client.post(url, {"user": "nobody"})
    assert refused.status_code == 400 and "No user" in refused.content.decode()


# --- assignments ---------------------------------------------------------------------------------


def _due(days=7) -> str:
    return timezone.localtime(timezone.now() + datetime.timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def test_the_new_assignment_page_lists_the_steps_with_their_purpose(client, alice, course, hw1):
    page = login(client, alice).get(reverse("courses:assignment_new", args=[course.pk]))
    text = page.content.decode()
    assert "Datasets &amp; feature engineering" in text and "leakage checks" in text
    assert 'value="hw1_intro"' not in text  # already assigned
    assert 'value="project"' in text and 'value="wrap"' not in text


def test_the_instructor_sets_a_homework_from_the_form(client, alice, course):
    response = login(client, alice).post(
        reverse("courses:assignment_new", args=[course.pk]),
        {"step": "hw2_data", "due_at": _due(), "instructions": "Use *your* logs.", "title": ""},
    )
    assignment = Assignment.objects.get()
    assert response["Location"] == reverse("courses:assignment", args=[course.pk, assignment.pk])
    assert (assignment.hw_number, assignment.instructions_html) == (
        2, "<p>Use <em>your</em> logs.</p>"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step": "hw2_data", "due_at": ""}, "This field is required"),
        ({"step": "hw2_data", "due_at": "soon"}, "Enter a valid date/time"),
        ({"step": "hw2_data", "due_at": _due(-1)}, "in the future"),
        ({"step": "wrap", "due_at": _due()}, "Select a valid choice"),
        ({"step": "hw2_data", "due_at": _due(), "instructions": "x" * 10_001}, "10000"),
    ],
)
def test_a_bad_assignment_form_shows_its_error_and_sets_nothing(
    client, alice, course, data, message
):
    response = login(client, alice).post(reverse("courses:assignment_new", args=[course.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_instructor_extends_a_due_date(client, alice, course, hw1):
    response = login(client, alice).post(
        reverse("courses:assignment_edit", args=[course.pk, hw1.pk]),
        {"title": "HW 1", "due_at": _due(20), "instructions": ""},
    )
    assert response.status_code == 302
    hw1.refresh_from_db()
    assert hw1.title == "HW 1" and hw1.due_at > timezone.now() + datetime.timedelta(days=19)


def test_the_assignment_page_shows_the_instructor_every_student(
    client, alice, course, hw1, eddies, dana
):
    page = login(client, alice).get(reverse("courses:assignment", args=[course.pk, hw1.pk]))
    text = page.content.decode()
    assert "1 of 2 handed in" in text
    assert reverse("courses:submission", args=[eddies.pk]) in text
    assert "dana" in text and "Not started" in text


def test_a_student_starts_their_submission_once_from_the_assignment_page(
    client, eddie, course, hw1
):
    url = reverse("courses:submission_start", args=[course.pk, hw1.pk])
    response = login(client, eddie).post(url)
    submission = Submission.objects.get()
    assert response["Location"] == reverse("courses:submission", args=[submission.pk])
    again = client.post(url)
    assert again["Location"] == reverse("courses:submission", args=[submission.pk])
    assert Submission.objects.count() == 1


def test_a_student_is_offered_to_continue_from_the_previous_homework(
    client, eddie, course, hw1, hw2
):
    first = services.submission_start(assignment=hw1, student=eddie)
    write(first, "hw1_intro", "Framing.")
    page = login(client, eddie).get(reverse("courses:assignment", args=[course.pk, hw2.pk]))
    assert "Start from my" in page.content.decode()
    client.post(reverse("courses:submission_start", args=[course.pk, hw2.pk]), {"carry_over": "on"})
    second = Submission.objects.get(assignment=hw2)
    assert second.document.sections.get(key="hw1_intro").body_md == "Framing."


# --- submit, withdraw, grade ------------------------------------------------------------------


def test_a_student_submits_and_withdraws_from_the_submission_page(client, eddie, hw1):
    submission = services.submission_start(assignment=hw1, student=eddie)
    login(client, eddie)
    refused = client.post(reverse("courses:submission_submit", args=[submission.pk]), follow=True)
    assert "before you submit" in refused.content.decode()
    write(submission, "hw1_intro")
    client.post(reverse("courses:submission_submit", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == "submitted"
    client.post(reverse("courses:submission_withdraw", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_a_late_submission_is_marked_late_on_every_page(
    client, alice, eddie, course, hw1, monkeypatch
):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    late = hw1.due_at + datetime.timedelta(hours=1)
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: late)
    services.submission_submit(submission=submission, by=eddie)
    for user in (eddie, alice):
        login(client, user)
        for url in (
            reverse("courses:detail", args=[course.pk]),
            reverse("courses:assignment", args=[course.pk, hw1.pk]),
            reverse("courses:submission", args=[submission.pk]),
            reverse("courses:gradebook", args=[course.pk]),
        ):
            if user == alice and url.endswith(f"{course.pk}/"):
                continue  # the instructor's course page shows counts, not submissions
            assert "badge--late" in client.get(url).content.decode(), (user, url)


def test_the_grade_form_is_prefilled_from_the_instructors_rubric_scores(client, alice, eddies):
    from apps.reviews.services import scorecard_save

    # Scores of 0 and 1 (with their comments) are below every checklist cap: the sum is exact.
    entries = {
        key: {"score": score, "comment": "Needs the why."}
        for key, score in {"problem": 1, "requirements": 1, "metrics": 1, "progression": 0}.items()
    }
    scorecard_save(document=eddies.document, scorer=alice, entries=entries)
    page = login(client, alice).get(reverse("courses:submission", args=[eddies.pk]))
    text = page.content.decode()
    # HW1 weights problem 10, requirements 6, metrics 12, progression 4:
    # (10·1 + 6·1 + 12·1 + 4·0) / (3 · 32) × 10 = 28 / 96 × 10 = 2.92 → 2.9
    assert "2.9 / 10" in text and 'value="2.9"' in text
    assert "Homework 1 is graded on:" in text and "Problem" in text


def test_the_instructor_grades_and_a_bad_grade_shows_its_error(client, alice, eddie, eddies):
    url = reverse("courses:submission_grade", args=[eddies.pk])
    login(client, alice)
    refused = client.post(url, {"grade": "11", "feedback": ""})
    assert refused.status_code == 400 and "less than or equal to 10" in refused.content.decode()
    eddies.refresh_from_db()
    assert eddies.status == "submitted"
    response = client.post(url, {"grade": "8.5", "feedback": "Well **framed**."})
    assert response.status_code == 302
    page = (
        login(client, eddie).get(reverse("courses:submission", args=[eddies.pk])).content.decode()
    )
    assert "8.5" in page and "<strong>framed</strong>" in page


def test_a_regraded_document_that_changed_says_so(client, alice, eddie, hw1):
    submission = graded(hw1, eddie, 7, alice)
    write(submission, "hw1_intro", "Edited after the grade.")
    page = login(client, alice).get(reverse("courses:submission", args=[submission.pk]))
    assert "changed after it was graded" in page.content.decode()


# --- gradebook ---------------------------------------------------------------------------------


def test_the_gradebook_shows_a_student_only_their_row(client, alice, eddie, dana, hw1, project):
    graded(hw1, eddie, 8, alice)
    graded(hw1, dana, 4, alice)
    graded(project, eddie, 9, alice)
    page = login(client, eddie).get(reverse("courses:gradebook", args=[hw1.course_id]))
    text = page.content.decode()
    assert "eddie" in text and "dana" not in text and "4.0" not in text
    assert "8.60" in text  # 0.4 × 8 + 0.6 × 9
    csv_text = client.get(reverse("courses:gradebook_csv", args=[hw1.course_id])).content.decode()
    assert csv_text.splitlines()[1].startswith("eddie,") and "dana" not in csv_text


def test_the_gradebook_csv_has_every_student_for_the_instructor(
    client, alice, eddie, dana, hw1, project
):
    graded(hw1, eddie, 8, alice)
    response = login(client, alice).get(reverse("courses:gradebook_csv", args=[hw1.course_id]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Student,")
    assert [line.split(",")[0] for line in lines[1:]] == ["dana", "eddie"]
    assert "incomplete" in lines[2]


def test_a_formula_in_a_username_is_quoted_in_the_csv(client, alice, course, hw1):
    add_member(course.team, make_user("=cmd"), "editor")
    response = login(client, alice).get(reverse("courses:gradebook_csv", args=[course.pk]))
    assert "\n'=cmd," in response.content.decode().replace("\r\n", "\n")


def test_an_empty_gradebook_says_what_to_do(client, alice, course):
    page = login(client, alice).get(reverse("courses:gradebook", args=[course.pk]))
    assert "No assignments yet" in page.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_gradebook_and_assignment_pages_take_the_same_queries_for_more_students(
    client, alice, eddie, dana, course, hw1, hw2, project
):
    graded(hw1, eddie, 8, alice)
    login(client, alice)
    urls = [
        reverse("courses:gradebook", args=[course.pk]),
        reverse("courses:assignment", args=[course.pk, hw1.pk]),
        reverse("courses:detail", args=[course.pk]),
    ]
    before = [_queries(client, url) for url in urls]
    for name in ("frank", "gina", "hugo"):
        student = make_user(name)
        add_member(course.team, student, "editor")
        graded(hw1, student, 6, alice)
        handed_in(hw2, student)
        services.submission_start(assignment=project, student=student)
    login(client, alice)
    assert [_queries(client, url) for url in urls] == before
