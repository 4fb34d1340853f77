"""HTML routes of the courses app (mounted at /courses/)."""

from django.urls import path

from apps.courses import views

app_name = "courses"
course = "<uuid:course_id>/"
assignment = f"{course}assignments/<uuid:assignment_id>/"
submission = "submissions/<uuid:submission_id>/"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_create, name="create"),
    path(course, views.course_detail, name="detail"),
    path(f"{course}students/", views.student_add, name="student_add"),
    path(f"{course}assignments/new/", views.assignment_new, name="assignment_new"),
    path(assignment, views.assignment_detail, name="assignment"),
    path(f"{assignment}edit/", views.assignment_edit, name="assignment_edit"),
    path(f"{assignment}start/", views.submission_start, name="submission_start"),
    path(f"{course}gradebook/", views.gradebook, name="gradebook"),
    path(f"{course}gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path(submission, views.submission_detail, name="submission"),
    path(f"{submission}submit/", views.submission_submit, name="submission_submit"),
    path(f"{submission}withdraw/", views.submission_withdraw, name="submission_withdraw"),
    path(f"{submission}grade/", views.submission_grade, name="submission_grade"),
]
