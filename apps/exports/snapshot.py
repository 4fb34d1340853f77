"""What an export shows, frozen as JSON when it is asked for: the document (its current draft
or a signed-off version), its fields as display tables, the A/B plan's formula, and the
appendices (checklist and waivers, open threads, approvals, rubric scores).

The renderers read only this snapshot, so a job renders the content that was requested however
the document changes before a worker gets to it.
"""

from datetime import UTC, datetime
from types import SimpleNamespace

from django.utils import timezone, translation
from django.utils.text import slugify

from apps.checklists.messages import finding_message
from apps.checklists.selectors import annotate_waived, checklist_current, document_waivers
from apps.checklists.services import ab_plan_sample_size
from apps.documents import fields
from apps.documents.models import Document, Revision, document_content_hash
from apps.documents.selectors import document_sections
from apps.interviews.selectors import interview_export
from apps.reviews import rubric
from apps.reviews import selectors as reviews


def _when(moment: datetime) -> str:
    """A time for print: "2026-11-23 05:20 UTC"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _authors(document: Document) -> list[str]:
    names = [document.created_by.username]
    revisions = (
        Revision.objects.filter(section__document=document, author__isnull=False)
        .values_list("author__username", flat=True)
        .distinct()
    )
    names += sorted(set(revisions) - set(names))
    return names


def _ab_plan(data: dict, metrics: list) -> dict | None:
    plan = data.get("ab_test")
    if not isinstance(plan, dict):
        return None
    result = ab_plan_sample_size(plan, metrics)
    if result is None:
        return None
    return {
        "n_control": result.n_control,
        "n_treatment": result.n_treatment,
        "n_total": result.n_total,
        "computed_days": result.computed_days,
        "formula": result.formula,
        "warnings": list(result.warnings),
    }


def build(document: Document, *, version=None) -> dict:
    """The snapshot of `document` now, or of its signed-off `version`, in the document's
    language (section titles, field labels, checklist messages, rubric criteria)."""
    with translation.override(document.language):
        return _build(document, version=version)


def _build(document: Document, *, version=None) -> dict:
    specs = {s.key: s for s in document.template.sections.all()}
    live = list(document_sections(document))
    if version is None:
        rows = [
            {
                "key": s.key,
                "title": s.spec.local_title,
                "body_md": s.body_md,
                "body_html": s.body_html,
                "data": s.data,
            }
            for s in live
        ]
        content_hash = document_content_hash(live)
        status = document.status
        version_label = ""
    else:
        rows = [dict(s) for s in version.sections]
        content_hash = version.content_hash
        status = "signed_off"
        version_label = version.name
    snapshot_fields = fields.snapshot(SimpleNamespace(data=row["data"]) for row in rows)
    metrics = (snapshot_fields.get("metrics") or {}).get("items") or []
    sections = []
    for row in rows:
        spec = specs.get(row["key"])
        schema = spec.local_schema if spec else {}
        sections.append(
            {
                "key": row["key"],
                "title": spec.local_title if spec else row["title"],
                "body_md": row["body_md"],
                "body_html": row["body_html"],
                "data": row["data"],
                "field_blocks": fields.display_blocks(schema, row["data"]),
                "ab_plan": _ab_plan(row["data"], metrics),
            }
        )
    # Findings name a section key or a canonical group; both read as a title.
    titles = {c.key: c.title for c in rubric.criteria_for("ml_system_design")}
    titles |= {s["key"]: s["title"] for s in sections}

    result = checklist_current(document, live) if version is None else None
    if version is not None:
        result = document.checklist_results.filter(content_hash=content_hash).first()
    findings = []
    if result is not None:
        annotated = annotate_waived(result.findings, document_waivers(document))
        findings = [
            {
                "rule_id": f["rule_id"],
                "severity": f["severity"],
                "section": titles.get(f["section"], f["section"]),
                "message": finding_message(f, titles),
                "waived": f["waived"].reason if f["waived"] else "",
                "waived_by": f["waived"].created_by.username if f["waived"] else "",
            }
            for f in annotated
        ]
    threads = [
        {
            "kind": t.get_kind_display(),
            "blocking": t.kind == "blocking",
            "section": titles.get(t.section.key, t.section.key),
            "quote": t.quote,
            "author": t.created_by.username,
            "text": next((c.body_md for c in t.comments.all() if not c.is_deleted), ""),
            "replies": max(0, len(t.comments.all()) - 1),
        }
        for t in reviews.document_threads(document)
        if t.is_open
    ]
    if version is not None:
        approvals = [
            {
                "reviewer": a["reviewer"],
                "sections": [titles.get(k, k) for k in a["sections"]],
                "at": _when(datetime.fromisoformat(a["approved_at"])),
                "content_hash": version.content_hash,
            }
            for a in version.approvals
        ]
    else:
        approvals = [
            {
                "reviewer": s.request.reviewer.username,
                "sections": [titles.get(k, k) for k in s.covered],
                "at": _when(s.decision.created_at),
                "content_hash": s.covered_hash,
            }
            for s in reviews.signoff_state(document, live).requests
            if s.status == "approved"
        ]
    scorecards = [
        {
            "scorer": card.scorer.username,
            "total": card.result.total,
            "band": card.result.band,
            "grade": card.result.grade,
            "complete": card.result.complete,
            "criteria": [
                {
                    "title": r.criterion.title,
                    "weight": r.criterion.weight,
                    "score": r.score,
                    "applied": r.applied,
                    "capped": r.is_capped,
                }
                for r in card.result.criteria
            ],
        }
        for card in reviews.document_scorecards(document)
    ]
    return {
        "title": document.title if version is None else version.title,
        "summary": document.summary if version is None else version.summary,
        "slug": slugify(document.title)[:80] or "document",
        "team": document.team.name,
        "template": {"key": document.template.key, "title": document.template.local_title},
        "language": document.language,
        "template_version": document.template.version,
        "authors": _authors(document),
        "status": status,
        "signed_off": status == "signed_off",
        "version": version_label,
        "content_hash": content_hash,
        "exported_at": timezone.now().isoformat(),
        "sections": sections,
        "findings": findings,
        "threads": threads,
        "approvals": approvals,
        "scorecards": scorecards,
        # A practice interview's time per block (never the interviewer's notes), or None.
        "interview": interview_export(document),
    }
