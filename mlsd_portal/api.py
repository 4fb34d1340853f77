"""API conventions shared by every app: one error shape, one paginator, one JSON parser.

Errors are always `{"detail": str, "errors": {field: [messages]}}`; domain `ValidationError`s
raised by services become 400s here, so API views never translate them by hand.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, parsers
from rest_framework.response import Response


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deeply to decode is a 400, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the body is nested too deeply.")
            ) from None


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [
                message for error in errors for message in error.messages
            ]
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


def _summary(errors: dict[str, list[str]]) -> str:
    """A message that is not about one field (e.g. a body that is not an object) says it all."""
    messages = errors.get("non_field_errors")
    if messages and len(errors) == 1:
        return messages[0]
    return _("Invalid input.")


def exception_handler(exc, context):
    """Map every error to the API's JSON error shape."""
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which names this module.
    from rest_framework import views

    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        views.set_rollback()
        return Response({"detail": _summary(errors), "errors": errors}, status=400)
    if isinstance(exc, RequestDataTooBig):
        # Raised by Django while DRF reads the body; unhandled, it would be an HTML 400 page.
        return Response({"detail": _("The request body is too large."), "errors": {}}, status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = views.exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        response.data = {"detail": _summary(errors), "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"detail": str(detail), "errors": {}}
    return response


# Statuses every operation may answer in the error shape above (bad input, not signed in, not
# allowed, not there, too large, throttled); the schema says so, so clients and schemathesis
# can rely on it.
ERROR_STATUSES = {
    "400": "Bad input: `errors` names each field and what is wrong with it.",
    "401": "No valid session or token.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or it belongs to a team you are not in.",
    "413": "The request body is too large.",
    "429": "Too many requests: wait and try again.",
}


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing: the `Error` shape and the error statuses, documented on
    every operation that does not document them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["detail", "errors"],
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": description, "content": error})
    return result
