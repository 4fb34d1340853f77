"""Reads of the checklist for pages and the API; they never run the rules."""

from django.db.models import QuerySet

from apps.checklists.models import ChecklistResult, Waiver
from apps.documents.models import Document, document_content_hash


def checklist_current(document: Document, sections) -> ChecklistResult | None:
    """The stored result for the document's current content, or None if not computed yet."""
    content_hash = document_content_hash(sections)
    return ChecklistResult.objects.filter(document=document, content_hash=content_hash).first()


def document_waivers(document: Document) -> QuerySet[Waiver]:
    """The document's waivers with who granted them."""
    return Waiver.objects.filter(document=document).select_related("created_by")


def annotate_waived(findings: list[dict], waivers) -> list[dict]:
    """Findings with `waived` (the Waiver or None), matched on rule and section."""
    by_key = {(w.rule_id, w.section): w for w in waivers}
    return [{**f, "waived": by_key.get((f["rule_id"], f["section"]))} for f in findings]
