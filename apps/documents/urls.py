"""HTML routes of the documents app."""

from django.urls import path

from apps.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<uuid:doc_id>/", views.detail, name="detail"),
    path("<uuid:doc_id>/edit/", views.edit, name="edit"),
    path("<uuid:doc_id>/archive/", views.archive, name="archive"),
    path("<uuid:doc_id>/restore/", views.restore, name="restore"),
    path("<uuid:doc_id>/sections/<slug:key>/edit/", views.section_edit, name="section_edit"),
    path("<uuid:doc_id>/history/", views.document_history, name="history"),
    path(
        "<uuid:doc_id>/sections/<slug:key>/history/",
        views.section_history,
        name="section_history",
    ),
    path(
        "<uuid:doc_id>/sections/<slug:key>/history/compare/",
        views.revision_compare,
        name="revision_compare",
    ),
    path(
        "<uuid:doc_id>/sections/<slug:key>/history/<int:version>/restore/",
        views.revision_restore,
        name="revision_restore",
    ),
    path(
        "<uuid:doc_id>/sections/<slug:key>/preview/",
        views.section_preview,
        name="section_preview",
    ),
]
