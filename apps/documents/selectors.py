"""Reads of documents shared by pages and the API."""

from collections.abc import Sequence
from datetime import timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.documents.models import Document, Presence, Revision, Section


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


PRESENCE_TIMEOUT = timedelta(seconds=60)


def document_presence(document: Document, *, exclude_user=None) -> list[Presence]:
    """Who else has the document open now (seen in the last minute), by username."""
    presences = Presence.objects.filter(
        document=document, last_seen__gte=timezone.now() - PRESENCE_TIMEOUT
    ).select_related("user")
    if exclude_user is not None:
        presences = presences.exclude(user=exclude_user)
    return list(presences.order_by("user__username"))


def section_revisions(section: Section) -> QuerySet[Revision]:
    """A section's revisions, newest first."""
    return Revision.objects.filter(section=section).select_related("author").order_by("-version")


def document_revisions(document: Document) -> QuerySet[Revision]:
    """Every revision of every section of the document, newest first (the activity feed)."""
    return (
        Revision.objects.filter(section__document=document)
        .select_related("author", "section__spec")
        .order_by("-created_at", "-pk")
    )


def document_activity(
    document: Document, sections: Sequence[Section], *, limit: int = 6
) -> list[Revision]:
    """The newest revisions of the document (the page's recent changes), each with its section
    from `sections`, read already with their specs: one query of revisions and authors."""
    by_pk = {section.pk: section for section in sections}
    revisions = list(
        Revision.objects.filter(section__document=document)
        .select_related("author")
        .defer("body_md", "data")
        .order_by("-created_at", "-pk")[:limit]
    )
    for revision in revisions:
        revision.section = by_pk[revision.section_id]
    return revisions


def section_revision_get(section: Section, version) -> Revision:
    """Revision `version` of `section`; a 404 when there is none."""
    return get_object_or_404(section_revisions(section), version=version)
