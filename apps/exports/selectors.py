"""Reads of exports: share links by token and per document."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.exports.models import ExportJob, ShareLink


def share_link_get(token: str) -> ShareLink:
    """An active link by its token; unknown or revoked tokens are a 404."""
    link = (
        ShareLink.objects.select_related("document__team", "document__template", "version")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if link is None:
        raise Http404("Not found.")
    return link


def share_link_job(link: ShareLink) -> ExportJob:
    """The PDF export of a link's version (it exists once the link was opened)."""
    return get_object_or_404(
        ExportJob, version=link.version, format=ExportJob.Format.PDF, paper=ExportJob.Paper.A4
    )


def document_share_links(document) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(document=document, revoked_at__isnull=True).select_related(
        "version", "created_by"
    )


def document_share_link_get(document, link_id) -> ShareLink:
    return get_object_or_404(ShareLink, document=document, pk=link_id, revoked_at__isnull=True)
