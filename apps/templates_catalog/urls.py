"""HTML routes of the templates_catalog app."""

app_name = "templates_catalog"
urlpatterns: list = []
