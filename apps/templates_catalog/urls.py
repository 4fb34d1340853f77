"""HTML routes of the templates_catalog app."""

from django.urls import path

from apps.templates_catalog import views

app_name = "templates_catalog"
urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("<slug:key>/", views.detail, name="detail"),
]
