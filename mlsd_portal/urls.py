"""Root URLconf: HTML pages per app, the REST API under /api/v1/, its schema and docs."""

import sys

from django.contrib import admin
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts import api as accounts_api
from apps.checklists import api as checklists_api
from apps.courses import api as courses_api
from apps.documents import api as documents_api
from apps.documents import views as documents_views
from apps.exports import api as exports_api
from apps.interviews import api as interviews_api
from apps.library import api as library_api
from apps.notifications import api as notifications_api
from apps.reviews import api as reviews_api
from apps.templates_catalog import api as templates_api

api_v1 = [
    *accounts_api.urlpatterns,
    *templates_api.urlpatterns,
    *exports_api.urlpatterns,
    *documents_api.urlpatterns,
    *checklists_api.urlpatterns,
    *reviews_api.urlpatterns,
    *notifications_api.urlpatterns,
    *library_api.urlpatterns,
    *interviews_api.urlpatterns,
    *courses_api.urlpatterns,
]

urlpatterns = [
    path("", documents_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("templates/", include("apps.templates_catalog.urls")),
    path("documents/", include("apps.documents.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("library/", include("apps.library.urls")),
    path("courses/", include("apps.courses.urls")),
    path("", include("apps.interviews.urls")),
    path("", include("apps.checklists.urls")),
    path("", include("apps.reviews.urls")),
    path("", include("apps.exports.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]


def handler404(request, exception=None):
    """API clients get the JSON error shape; people get the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return page_not_found(request, exception)


def handler500(request):
    """A database that cannot be reached (restarting, failing over) is a 503 with Retry-After:
    the request changed nothing and may be sent again. Any other error is the 500 page. API
    clients get the JSON error shape either way."""
    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            _("The service is briefly unavailable; nothing was saved. Try again in a moment.")
            if unavailable
            else _("Something went wrong on our side; nothing was saved.")
        )
        response = JsonResponse({"detail": detail, "errors": {}}, status=status)
    elif unavailable:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    else:
        return server_error(request)
    if unavailable:
        response["Retry-After"] = "5"
    return response
