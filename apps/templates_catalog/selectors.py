"""Reads of design templates shared by the gallery pages and the API."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.templates_catalog.models import DesignTemplate, SectionSpec


def template_list() -> QuerySet[DesignTemplate]:
    """The newest version of each template, with its sections, in gallery order."""
    return DesignTemplate.objects.latest_versions().prefetch_related(
        Prefetch("sections", queryset=SectionSpec.objects.order_by("position"))
    )


def template_get(key: str) -> DesignTemplate:
    """The newest version of template `key` with its sections; 404 when unknown."""
    return get_object_or_404(template_list(), key=key)
