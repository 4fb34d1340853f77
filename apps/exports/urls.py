"""HTML routes of exports (mounted at the site root)."""

from django.urls import path

from apps.exports import views

app_name = "exports"
urlpatterns = [
    path("documents/import/", views.document_import, name="import"),
    path("documents/<uuid:doc_id>/exports/", views.export_create, name="create"),
    path("exports/<uuid:job_id>/", views.job_detail, name="job"),
    path("exports/<uuid:job_id>/status/", views.job_status, name="status"),
    path("exports/<uuid:job_id>/download/", views.download, name="download"),
    path(
        "documents/<uuid:doc_id>/versions/<int:number>/share/",
        views.share_create,
        name="share_create",
    ),
    path(
        "documents/<uuid:doc_id>/share-links/<uuid:link_id>/revoke/",
        views.share_revoke,
        name="share_revoke",
    ),
    path("s/<str:token>/", views.share_view, name="share"),
]
