"""HTML routes of the interviews app."""

from django.urls import path  # noqa: F401

app_name = "interviews"
urlpatterns: list = []
