"""HTML routes of the checklists app (mounted at the site root)."""

from django.urls import path

from apps.checklists import views

app_name = "checklists"
urlpatterns = [
    path("tools/ab/", views.ab_tool, name="ab_tool"),
    path("documents/<uuid:doc_id>/checklist/", views.panel, name="panel"),
    path("documents/<uuid:doc_id>/checklist/waivers/", views.waiver_add, name="waiver_add"),
    path(
        "documents/<uuid:doc_id>/checklist/waivers/<uuid:waiver_id>/remove/",
        views.waiver_remove,
        name="waiver_remove",
    ),
]
