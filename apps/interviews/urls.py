"""HTML routes of the interviews app (mounted at the site root, under a document)."""

from django.urls import path

from apps.interviews import views

app_name = "interviews"
doc = "documents/<uuid:doc_id>/interview/"
urlpatterns = [
    path(doc, views.practice, name="practice"),
    path(f"{doc}summary/", views.summary, name="summary"),
    path(f"{doc}interviewer/", views.invite, name="invite"),
    path(f"{doc}notes/<slug:key>/", views.note_save, name="note"),
    path(f"{doc}<str:action>/", views.control, name="control"),
]
