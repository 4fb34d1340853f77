"""Reads of documents shared by pages and the API."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.documents.models import Document, Section


def document_list_for_user(
    user,
    *,
    team_id=None,
    status: str | None = None,
    template_key: str | None = None,
    query: str | None = None,
    archived: bool = False,
) -> QuerySet[Document]:
    """Documents across the user's teams, newest change first, filtered as asked."""
    documents = Document.objects.visible_to(user).select_related("team", "template", "created_by")
    documents = documents.archived() if archived else documents.active()
    if team_id:
        documents = documents.filter(team_id=team_id)
    if status:
        documents = documents.filter(status=status)
    if template_key:
        documents = documents.filter(template__key=template_key)
    if query and query.strip():
        documents = documents.search(query.strip())
    return documents.order_by("-updated_at")


def document_sections(document: Document) -> QuerySet[Section]:
    """The document's sections in template order with their specs (one query)."""
    return (
        Section.objects.filter(document=document)
        .select_related("spec", "updated_by")
        .order_by("position")
    )


def section_get(document: Document, key: str) -> Section:
    """One section of `document` by key; a 404 when the template has no such section."""
    section = get_object_or_404(document_sections(document), key=key)
    section.document = document
    return section
