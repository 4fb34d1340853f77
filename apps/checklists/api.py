"""REST API of the checklists app (mounted under /api/v1/)."""

urlpatterns: list = []
