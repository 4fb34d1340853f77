"""The courses API: the ladder on every route, each workflow step, errors in the API's shape, and
constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.courses import services
from apps.courses.models import Assignment, Course, Submission
from apps.documents.models import Document
from tests.courses.conftest import graded, handed_in, write
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def counts():
    return (
        Course.objects.count(),
        Assignment.objects.count(),
        Submission.objects.count(),
        Document.objects.count(),
        tuple(Submission.objects.order_by("pk").values_list("status", "grade")),
    )


def due(days=7) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def eddies(hw1, eddie):
    return handed_in(hw1, eddie)


def routes(course, assignment, submission):
    """(method, path, body) of every route."""
    c = f"/api/v1/courses/{course.pk}/"
    a = f"{c}assignments/{assignment.pk}/"
    s = f"/api/v1/submissions/{submission.pk}/"
    return [
        ("get", c, None),
        ("patch", c, {"title": "X"}),
        ("get", f"{c}assignments/", None),
        ("post", f"{c}assignments/", {"kind": "homework", "homework_step": "hw2_data",
                                      "due_at": due()}),
        ("get", a, None),
        ("patch", a, {"title": "X"}),
        ("get", f"{a}submissions/", None),
        ("post", f"{a}submissions/", {}),
        ("get", f"{c}grades/", None),
        ("get", s, None),
        ("post", f"{s}submit/", None),
        ("post", f"{s}withdraw/", None),
        ("post", f"{s}grade/", {"grade": 5}),
    ]  # fmt: skip


def call(api, method, path, body=None):
    return getattr(api, method)(path, body, format="json")


def test_anonymous_clients_are_refused_everywhere_in_the_error_shape(api, course, hw1, eddies):
    before = counts()
    for method, path, body in [*routes(course, hw1, eddies), ("get", "/api/v1/courses/", None)]:
        response = call(api, method, path, body)
        assert response.status_code in {401, 403}, (method, path)
        assert set(response.json()) == {"detail", "errors"}
    assert counts() == before


def test_another_teams_owner_gets_404_on_every_route(api, carol, course, hw1, eddies):
    as_user(api, carol)
    before = counts()
    for method, path, body in routes(course, hw1, eddies):
        response = call(api, method, path, body)
        assert response.status_code == 404, (method, path)
        assert set(response.json()) == {"detail", "errors"}
    assert api.get("/api/v1/courses/").json() == []
    assert counts() == before


@pytest.mark.parametrize("who", ["bob", "victor"])
def test_followers_read_course_and_assignments_and_nothing_of_the_students(
    api, cast, course, hw1, eddies, who
):
    as_user(api, cast[who])
    before = counts()
    expected = {
        ("get", ""): 200, ("patch", ""): 403, ("get", "assignments/"): 200,
        ("post", "assignments/"): 403, ("get", "a"): 200, ("patch", "a"): 403,
        ("get", "a/submissions/"): 200, ("post", "a/submissions/"): 403, ("get", "grades/"): 403,
    }  # fmt: skip
    for method, path, body in routes(course, hw1, eddies):
        status = call(api, method, path, body).status_code
        if path.startswith("/api/v1/submissions/"):
            assert status == 404, (method, path)
            continue
        tail = path.removeprefix(f"/api/v1/courses/{course.pk}/")
        tail = tail.replace(f"assignments/{hw1.pk}/", "a/")
        key = (method, "a" if tail == "a/" else tail)
        assert status == expected[key], (method, path)
    listed = api.get(f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/submissions/").json()
    assert listed == []
    assignment = api.get(f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/").json()
    assert assignment["submitted_count"] is None and assignment["my_submission"] is None
    assert api.get(f"/api/v1/documents/{eddies.document_id}/").status_code == 404
    assert counts() == before


def test_another_student_gets_404_for_a_submission_and_its_document(api, dana, course, hw1, eddies):
    as_user(api, dana)
    before = counts()
    for tail, method in (
        ("", "get"),
        ("submit/", "post"),
        ("withdraw/", "post"),
        ("grade/", "post"),
    ):
        response = call(api, method, f"/api/v1/submissions/{eddies.pk}/{tail}", {"grade": 9})
        assert response.status_code == 404, tail
    assert api.get(f"/api/v1/documents/{eddies.document_id}/").status_code == 404
    listed = api.get(f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/submissions/").json()
    assert listed == []
    assert counts() == before


def test_a_student_may_not_set_assignments_grade_or_change_the_course(
    api, eddie, course, hw1, eddies
):
    as_user(api, eddie)
    before = counts()
    c = f"/api/v1/courses/{course.pk}/"
    body = {"kind": "project", "due_at": due()}
    assert api.post(f"{c}assignments/", body, format="json").status_code == 403
    assert api.patch(c, {"title": "Mine"}, format="json").status_code == 403
    grade = api.post(f"/api/v1/submissions/{eddies.pk}/grade/", {"grade": 10}, format="json")
    assert grade.status_code == 403
    assert counts() == before


# --- the workflow --------------------------------------------------------------------------------


def test_courses_are_created_and_listed_with_my_role(api, alice, eddie, carol, team_a, templates):
    response = as_user(api, carol).post(
        "/api/v1/courses/", {"title": "MLSD", "description": "Cohort"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["my_role"], body["template"]) == ("MLSD", "instructor", "course_hw")
    mine = as_user(api, alice).post(
        "/api/v1/courses/", {"title": "Ads", "team": str(team_a.pk)}, format="json"
    )
    assert mine.status_code == 201 and mine.json()["team"] == str(team_a.pk)
    assert [c["my_role"] for c in as_user(api, eddie).get("/api/v1/courses/").json()] == ["student"]


@pytest.mark.parametrize(
    ("who", "body", "field"),
    [
        ("carol", {"title": "Steal", "team": "team_a"}, "team"),
        ("eddie", {"title": "Mine", "team": "team_a"}, "team"),
        ("carol", {"title": ""}, "title"),
        ("carol", {"title": "x" * 101}, "title"),
        ("carol", {"title": "MLSD", "team": "not-a-uuid"}, "team"),
    ],
)
def test_a_bad_course_is_a_400_with_the_field(api, cast, team_a, templates, who, body, field):
    if body.get("team") == "team_a":
        body = {**body, "team": str(team_a.pk)}
    before = counts()
    response = as_user(api, cast[who]).post("/api/v1/courses/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert counts() == before


def test_the_instructor_sets_assignments_and_reads_counts(api, alice, eddie, course):
    as_user(api, alice)
    c = f"/api/v1/courses/{course.pk}/"
    hw = api.post(
        f"{c}assignments/",
        {"kind": "homework", "homework_step": "hw1_intro", "due_at": due(), "instructions": "*Go*"},
        format="json",
    )
    assert hw.status_code == 201, hw.json()
    body = hw.json()
    assert (body["homework_step"], body["hw_number"], body["template"]) == (
        "hw1_intro",
        1,
        "course_hw",
    )
    assert body["instructions_html"] == "<p><em>Go</em></p>"
    assert (body["started_count"], body["submitted_count"]) == (0, 0)
    project = api.post(f"{c}assignments/", {"kind": "project", "due_at": due(30)}, format="json")
    assert project.json()["homework_step"] is None
    assert project.json()["template"] == "ml_system_design"
    later = due(20)
    patched = api.patch(f"{c}assignments/{body['id']}/", {"due_at": later}, format="json")
    assert patched.status_code == 200
    listed = api.get(f"{c}assignments/").json()
    assert [a["kind"] for a in listed] == ["homework", "project"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "quiz", "due_at": "d"}, "kind"),
        ({"kind": "homework", "homework_step": "hw1_intro"}, "due_at"),
        ({"kind": "homework", "homework_step": "hw1_intro", "due_at": "tomorrow"}, "due_at"),
        ({"kind": "homework", "homework_step": "hw1_intro", "due_at": due(-1)}, "due_at"),
        ({"kind": "homework", "homework_step": "wrap", "due_at": due()}, "section_key"),
        ({"kind": "homework", "due_at": due()}, "section_key"),
        ({"kind": "project", "due_at": due(), "title": "x" * 201}, "title"),
        ({"kind": "project", "due_at": due(), "instructions": "x" * 10_001}, "instructions"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_a_bad_assignment_is_a_400_and_sets_nothing(api, alice, course, body, field):
    before = counts()
    response = as_user(api, alice).post(
        f"/api/v1/courses/{course.pk}/assignments/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert counts() == before


def test_a_student_starts_writes_submits_and_is_graded(api, alice, eddie, course, hw1):
    as_user(api, eddie)
    path = f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/submissions/"
    started = api.post(path, {}, format="json")
    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["status"], body["student"], body["late"], body["grade"]) == (
        "draft", "eddie", False, None
    )  # fmt: skip
    again = api.post(path, {}, format="json")
    assert again.status_code == 400 and "already started" in again.json()["detail"]
    submission = Submission.objects.get(pk=body["id"])
    early = api.post(f"/api/v1/submissions/{submission.pk}/submit/")
    assert early.status_code == 400 and "before you submit" in early.json()["detail"]
    write(submission, "hw1_intro")
    submitted = api.post(f"/api/v1/submissions/{submission.pk}/submit/").json()
    assert submitted["status"] == "submitted" and len(submitted["submitted_hash"]) == 64
    withdrawn = api.post(f"/api/v1/submissions/{submission.pk}/withdraw/").json()
    assert withdrawn["status"] == "draft" and withdrawn["submitted_at"] is None
    api.post(f"/api/v1/submissions/{submission.pk}/submit/")
    assert [s["id"] for s in api.get(path).json()] == [str(submission.pk)]

    as_user(api, alice)
    for bad, field in (({"grade": 11}, "grade"), ({"grade": "7.25"}, "grade"), ({}, "grade"),
                       ({"grade": 7, "feedback": "x" * 10_001}, "feedback")):  # fmt: skip
        refused = api.post(f"/api/v1/submissions/{submission.pk}/grade/", bad, format="json")
        assert refused.status_code == 400 and field in refused.json()["errors"]
    graded_body = api.post(
        f"/api/v1/submissions/{submission.pk}/grade/",
        {"grade": 7.5, "feedback": "**Good**"},
        format="json",
    ).json()
    assert (graded_body["status"], graded_body["grade"], graded_body["graded_by"]) == (
        "graded", 7.5, "alice"
    )  # fmt: skip
    assert graded_body["feedback_html"] == "<p><strong>Good</strong></p>"
    assert graded_body["graded_hash"] == graded_body["submitted_hash"]
    as_user(api, eddie)
    refused = api.post(f"/api/v1/submissions/{submission.pk}/withdraw/")
    assert refused.status_code == 400 and "graded" in refused.json()["detail"]
    mine = api.get(f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/").json()["my_submission"]
    assert mine["grade"] == 7.5


def test_a_late_submission_says_late_in_the_api(api, eddie, hw1, monkeypatch):
    submission = services.submission_start(assignment=hw1, student=eddie)
    write(submission, "hw1_intro")
    late = hw1.due_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr("apps.courses.services.timezone.now", lambda: late)
    body = as_user(api, eddie).post(f"/api/v1/submissions/{submission.pk}/submit/").json()
    assert body["late"] is True


def test_the_gradebook_api_gives_exact_grades_and_a_student_their_row(
    api, alice, eddie, dana, hw1, hw2, project
):
    graded(hw1, eddie, 7, alice)
    graded(hw2, eddie, 8, alice)
    graded(project, eddie, 9, alice)
    graded(hw1, dana, 5, alice)
    book = as_user(api, alice).get(f"/api/v1/courses/{hw1.course_id}/grades/").json()
    assert book["weights"] == {"homework": 0.4, "project": 0.6}
    assert [a["kind"] for a in book["assignments"]] == ["homework", "homework", "project"]
    dana_row, eddie_row = book["rows"]
    # 0.4 × (7 + 8) / 2 + 0.6 × 9 = 3.0 + 5.4 = 8.4
    assert (eddie_row["homework_mean"], eddie_row["project"], eddie_row["final"]) == (7.5, 9.0, 8.4)
    assert eddie_row["complete"] and eddie_row["missing"] == []
    assert (dana_row["homework_mean"], dana_row["final"], dana_row["complete"]) == (
        5.0,
        None,
        False,
    )
    assert dana_row["missing"] == [hw2.title, project.title]
    assert [c["status"] for c in dana_row["cells"]] == ["graded", "not_started", "not_started"]
    mine = as_user(api, dana).get(f"/api/v1/courses/{hw1.course_id}/grades/").json()
    assert [r["student"] for r in mine["rows"]] == ["dana"]


def _queries(api, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def test_the_gradebook_submissions_and_assignments_take_fixed_queries(
    api, alice, eddie, course, hw1, hw2
):
    graded(hw1, eddie, 6, alice)
    as_user(api, alice)
    paths = [
        f"/api/v1/courses/{course.pk}/grades/",
        f"/api/v1/courses/{course.pk}/assignments/{hw1.pk}/submissions/",
        f"/api/v1/courses/{course.pk}/assignments/",
        "/api/v1/courses/",
    ]
    before = [_queries(api, p) for p in paths]
    for name in ("frank", "gina", "hugo"):
        student = make_user(name)
        add_member(course.team, student, "editor")
        graded(hw1, student, 7, alice)
        handed_in(hw2, student)
    services.course_create(title="Second", instructor=alice)
    as_user(api, alice)
    assert [_queries(api, p) for p in paths] == before


@pytest.mark.parametrize("body", [{}, {"grade": "ten"}, {"grade": 10}])
def test_a_student_grading_their_own_work_is_refused_whatever_the_body(api, eddie, eddies, body):
    before = counts()
    response = as_user(api, eddie).post(
        f"/api/v1/submissions/{eddies.pk}/grade/", body, format="json"
    )
    assert response.status_code == 403
    assert counts() == before
