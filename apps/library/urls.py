"""HTML routes of the library app (mounted at /library/)."""

from django.urls import path

from apps.library import views

app_name = "library"
urlpatterns = [
    path("", views.example_list, name="list"),
    path("compare/", views.compare, name="compare"),
    path("<slug:slug>/", views.example_detail, name="detail"),
    path("<slug:slug>/clone/", views.example_clone, name="clone"),
]
