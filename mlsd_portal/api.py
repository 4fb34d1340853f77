"""API conventions shared by every app: one error shape and one paginator.

Errors are always `{"detail": str, "errors": {field: [messages]}}`; domain `ValidationError`s
raised by services become 400s here, so API views never translate them by hand.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [message for error in errors for message in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors for nested serializers; flatten them to dotted field paths."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(detail, list) and detail and not all(isinstance(d, str) for d in detail):
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[prefix or "non_field_errors"] = [str(item) for item in items]
    return out


def exception_handler(exc, context):
    """Map every error to the API's JSON error shape."""
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        return Response({"detail": _("Invalid input."), "errors": errors}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Invalid input."), "errors": _flatten(exc.detail)}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"detail": str(detail), "errors": {}}
    return response
