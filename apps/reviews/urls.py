"""HTML routes of the reviews app (mounted at the site root, under a document)."""

from django.urls import path

from apps.reviews import views

app_name = "reviews"
doc = "documents/<uuid:doc_id>/"
urlpatterns = [
    path(f"{doc}threads/new/", views.thread_new, name="thread_new"),
    path(f"{doc}threads/<uuid:thread_id>/reply/", views.thread_reply, name="thread_reply"),
    path(f"{doc}threads/<uuid:thread_id>/resolve/", views.thread_resolve, name="thread_resolve"),
    path(f"{doc}threads/<uuid:thread_id>/reopen/", views.thread_reopen, name="thread_reopen"),
    path(f"{doc}comments/<uuid:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path(f"{doc}comments/<uuid:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path(f"{doc}review/request/", views.review_request, name="request"),
    path(
        f"{doc}review/requests/<uuid:request_id>/withdraw/", views.review_withdraw, name="withdraw"
    ),
    path(f"{doc}review/decide/", views.review_decide, name="decide"),
    path(f"{doc}review/audit/", views.audit_log, name="audit"),
    path(f"{doc}review/scores/", views.scores, name="scores"),
    path(f"{doc}versions/", views.signed_versions, name="versions"),
    path(f"{doc}versions/<int:number>/", views.signed_version, name="version"),
]
