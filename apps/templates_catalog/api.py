"""REST API of the templates_catalog app (mounted under /api/v1/)."""

urlpatterns: list = []
