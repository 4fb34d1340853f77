"""HTML pages for documents: dashboard, create, read, edit details and sections, archive."""

import json
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from apps.accounts.permissions import (
    Need,
    can_edit_document,
    get_document_for_user,
    get_team_for_user,
    role_allows,
)
from apps.accounts.selectors import team_list_for_user
from apps.checklists.messages import localized as localized_findings
from apps.checklists.selectors import checklist_current
from apps.documents import diff, fields, fragments, selectors, services
from apps.documents.forms import (
    GROUP_TITLES,
    DashboardFilterForm,
    DocumentCreateForm,
    DocumentEditForm,
    SectionForm,
    field_label,
)
from apps.documents.models import SECTION_BODY_MAX_CHARS
from apps.exports.forms import EXPORT_CHOICES
from apps.notifications.selectors import unread_count
from apps.reviews.selectors import awaiting_review
from apps.reviews.views import review_context
from apps.templates_catalog.selectors import template_get, template_list

DASHBOARD_PAGE_SIZE = 25


def home(request):
    """The landing page for visitors; signed-in users go to their dashboard."""
    if request.user.is_authenticated:
        return redirect("documents:dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request):
    """My documents across my teams, searchable and filtered by team, status and template."""
    teams = list(team_list_for_user(request.user))
    templates = list(template_list())
    form = DashboardFilterForm(request.GET, teams=teams, templates=templates)
    filters = form.filters()
    documents = selectors.document_list_for_user(request.user, **filters)
    page = Paginator(documents, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    narrowed = any(filters[name] for name in ("query", "team_id", "status", "template_key"))
    context = {
        "form": form,
        "page": page,
        "documents": page.object_list,
        "archived": filters["archived"],
        "narrowed": narrowed,
        "has_teams": bool(teams),
        "can_create": any(role_allows(team.user_role, Need.EDIT) for team in teams),
        "awaiting": [] if filters["archived"] else awaiting_review(request.user),
    }
    return render(request, "documents/dashboard.html", context)


@login_required
def create(request):
    """Start a document from a template in a team where the user may write."""
    all_teams = list(team_list_for_user(request.user))
    teams = [team for team in all_teams if role_allows(team.user_role, Need.EDIT)]
    templates = list(template_list())
    context = {"has_teams": bool(all_teams), "teams": teams, "templates": templates}
    if request.method == "POST":
        form = DocumentCreateForm(request.POST, teams=teams, templates=templates)
        if form.is_valid():
            team = get_team_for_user(request.user, form.cleaned_data["team"], need=Need.EDIT)
            template = template_get(form.cleaned_data["template"])
            try:
                document = services.document_create(
                    team=team,
                    template=template,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    language=form.cleaned_data["language"],
                    created_by=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Document created. Start with the first section below.")
                )
                return redirect("documents:detail", document.id)
        return render(request, "documents/create.html", {**context, "form": form}, status=400)

    initial = {"language": translation.get_language()}
    if request.GET.get("template") in {template.key for template in templates}:
        initial["template"] = request.GET["template"]
    if request.GET.get("team") in {str(team.id) for team in teams}:
        initial["team"] = request.GET["team"]
    form = DocumentCreateForm(initial=initial, teams=teams, templates=templates)
    return render(request, "documents/create.html", {**context, "form": form})


def _presence_config(document, sections, *, editing: str) -> dict:
    """What presence.js needs: where to beat, what this page edits, the versions it shows."""
    return {
        "api": reverse("api:document-presence", args=[document.id]),
        "section": editing,
        "versions": {section.key: section.version for section in sections},
    }


@ensure_csrf_cookie
@login_required
def detail(request, doc_id):
    """The document: header, table of contents and every section's stored HTML.

    Read from the cache while nothing it shows has changed (`Document.page_version`) and the
    reader is the same, with the same role and unread count (see `fragments.page`)."""
    document = get_document_for_user(request.user, doc_id)
    unread = unread_count(request.user)
    parts = (
        document.pk,
        document.page_version,
        document.user_role,
        document.team.name,
        document.template.loaded_at.isoformat(),
        unread,
    )
    return fragments.page(request, parts, partial(_detail_html, request, document, unread))


def _detail_html(request, document, unread: int, extra: dict) -> str:
    sections = list(selectors.document_sections(document))
    # Stored findings for this exact content: the page never runs the rules.
    checklist = checklist_current(document, sections)
    counts: dict[str, dict[str, int]] = {}
    for finding in checklist.findings if checklist else []:
        per_section = counts.setdefault(finding["section"], {"error": 0, "warning": 0, "info": 0})
        per_section[finding["severity"]] += 1
    for section in sections:
        section.finding_counts = counts.get(section.key, {})
        section.filled, section.required_total = fields.completeness(section.spec, section.data)
    can_edit = can_edit_document(request.user, document)
    fragments.section_cards(document, sections, editable=can_edit and not document.is_archived)
    context = {
        "document": document,
        "sections": sections,
        "checklist": checklist,
        "activity": selectors.document_activity(document, sections),
        "presence_config": _presence_config(document, sections, editing=""),
        "written_count": sum(1 for section in sections if not section.is_empty),
        "can_edit": can_edit,
        **review_context(request, document, sections, checklist),
        "export_choices": EXPORT_CHOICES,
        "notifications_unread": unread,
        **extra,
    }
    return render_to_string("documents/detail.html", context, request=request)


@login_required
def edit(request, doc_id):
    """Change the title and summary."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    if request.method == "POST":
        form = DocumentEditForm(request.POST)
        if form.is_valid():
            try:
                services.document_update(
                    document=document,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("documents:detail", document.id)
        context = {"document": document, "form": form}
        return render(request, "documents/edit.html", context, status=400)
    if document.is_archived:
        messages.warning(request, _("This document is archived: restore it before editing."))
        return redirect("documents:detail", document.id)
    form = DocumentEditForm(
        initial={
            "title": document.title,
            "summary": document.summary,
            "language": document.language,
        }
    )
    return render(request, "documents/edit.html", {"document": document, "form": form})


@require_POST
@login_required
def archive(request, doc_id):
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    services.document_archive(document=document)
    messages.success(
        request, _("Archived. It is hidden from the dashboard; you can restore it at any time.")
    )
    return redirect("documents:detail", document.id)


@require_POST
@login_required
def restore(request, doc_id):
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    services.document_restore(document=document)
    messages.success(request, _("Restored. The document is back on the dashboard."))
    return redirect("documents:detail", document.id)


def _side_by_side(lines: list) -> list[dict]:
    """A unified diff as rows of (theirs, yours): removed and added runs paired up, gaps kept."""
    rows: list[dict] = []
    removed: list = []
    added: list = []

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            theirs = removed[index] if index < len(removed) else None
            mine = added[index] if index < len(added) else None
            rows.append({"theirs": theirs, "mine": mine, "same": False})
        removed.clear()
        added.clear()

    for line in lines:
        if line is None:
            flush()
            rows.append({"gap": True})
        elif line.kind == "removed":
            removed.append(line)
        elif line.kind == "added":
            added.append(line)
        else:
            flush()
            rows.append({"theirs": line, "mine": line, "same": True})
    flush()
    return rows


def _section_page(request, document, section, form, *, sections, data, conflict=False, status=200):
    """The editor: body, the fields form's schema and choices, completeness, errors, a conflict.

    `data` is the structured fields the page shows (the user's after a refused save), `sections`
    every section of the document: the others declare the names the pickers offer.
    """
    spec = section.spec
    schema = spec.local_schema or {}
    groups = schema.get("properties") or {}
    others = fields.snapshot(other for other in sections if other.pk != section.pk)
    errors = form.all_field_errors()
    required = list(spec.required_fields or [])
    missing = [path for path in required if not fields.is_filled(fields.get_path(data, path))]
    metrics = fields.get_path(others, "metrics.items")
    editor = {
        "document": str(document.id),
        "section": section.key,
        "version": section.version,
        "required": required,
        "groupTitles": {group: GROUP_TITLES.get(group, "") for group in groups},
        "pickers": fields.REFERENCE_PICKERS,
        "sources": fields.REFERENCE_SOURCES,
        "pseudo": {"entities": list(fields.ENTITY_PSEUDO_NAMES)},
        "choices": fields.reference_choices(others),
        "metricDirections": {
            metric["name"]: metric.get("direction", "increase")
            for metric in (metrics if isinstance(metrics, list) else [])
            if isinstance(metric, dict) and isinstance(metric.get("name"), str)
        },
        "metricKinds": {
            metric["name"]: metric.get("kind", "")
            for metric in (metrics if isinstance(metrics, list) else [])
            if isinstance(metric, dict) and isinstance(metric.get("name"), str)
        },
    }
    writes = spec.fields if isinstance(spec.fields, dict) else {}
    context = {
        "document": document,
        "section": section,
        "spec": spec,
        "form": form,
        "has_fields": bool(groups),
        "writes_ab_test": "ab_test" in groups,
        "body_limit": SECTION_BODY_MAX_CHARS,
        "error_summary": [
            {
                "path": path,
                # `data` is the fields as a whole (JSON that does not parse, the size limit).
                "label": _("Structured fields") if path == "data" else field_label(schema, path),
                "messages": messages,
            }
            for path, messages in errors.items()
        ],
        "required_count": len(required),
        "filled_count": len(required) - len(missing),
        "missing": [{"path": path, "label": field_label(schema, path)} for path in missing],
        # The model section shows the split it is evaluated on; data.split is its only home.
        "split": fields.get_path(others, "data.split")
        if "model" in writes and "data" not in writes
        else None,
        "field_errors": errors,
        "conflict": section if conflict else None,
    }
    if conflict:
        mine_body = form.initial["body_md"]
        context["conflict_rows"] = _side_by_side(diff.text_diff(section.body_md, mine_body))
        context["conflict_fields"] = [
            {"change": change, "label": field_label(schema, change.path)}
            for change in diff.fields_diff(section.data, data)
        ]
        merged = diff.text_diff(section.body_md, mine_body, context=None)
        editor["conflict"] = {
            "version": section.version,
            "body": section.body_md,
            "data": section.data,
            # Both texts, line by line in the order of the diff: the start of a merge by hand.
            "merged": "\n".join(line.text for line in merged if line is not None),
        }
    checklist = checklist_current(document, sections)
    section_findings = localized_findings(
        finding
        for finding in (checklist.findings if checklist else [])
        if finding["section"] == section.key
    )
    context["section_findings"] = section_findings
    editor["findings"] = section_findings
    context["editor"] = editor
    context["presence_config"] = _presence_config(document, sections, editing=section.key)
    return render(request, "documents/section_edit.html", context, status=status)


def _section_form(*, body_md: str, data: dict, version: int) -> SectionForm:
    """An unbound editor form showing `body_md` and `data`, to be saved over `version`."""
    return SectionForm(
        initial={
            "body_md": body_md,
            "data": json.dumps(data or {}, indent=2, ensure_ascii=False),
            "base_version": version,
        }
    )


@login_required
def section_edit(request, doc_id, key):
    """Edit a section's Markdown and structured fields; a stale base version is a conflict."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    # One query: the section edited and the others, which declare the names pickers offer.
    sections = list(selectors.document_sections(document))
    section = next((candidate for candidate in sections if candidate.key == key), None)
    if section is None:
        raise Http404("No such section.")
    section.document = document
    page = partial(_section_page, request, document, sections=sections)
    if request.method != "POST":
        if document.is_archived:
            messages.warning(request, _("This document is archived: restore it before editing."))
            return redirect("documents:detail", document.id)
        form = _section_form(body_md=section.body_md, data=section.data, version=section.version)
        return page(section, form, data=section.data)

    form = SectionForm(request.POST)
    if not form.is_valid():
        shown = form.cleaned_data.get("data")
        return page(section, form, data=section.data if shown is None else shown, status=400)
    body_md, data = form.cleaned_data["body_md"], form.cleaned_data["data"]
    if not section.spec.field_schema.get("properties"):
        data = None  # a Markdown-only section has no fields to write
    try:
        services.section_save(
            section=section,
            body_md=body_md,
            data=data,
            base_version=form.cleaned_data["base_version"],
            author=request.user,
        )
    except services.SectionConflict as exc:
        # Nothing was written. Show theirs beside mine; the next save is based on theirs.
        current = exc.current
        current.document = document
        mine = current.data if data is None else services.prune_empty(data)
        form = _section_form(body_md=body_md, data=mine, version=current.version)
        return page(current, form, data=mine, conflict=True, status=409)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return page(section, form, data=section.data if data is None else data, status=400)
    messages.success(request, _("“%(title)s” saved.") % {"title": section.spec.local_title})
    url = reverse("documents:detail", args=[document.id])
    # The flag tells the document page that this section's local draft reached the server.
    return redirect(f"{url}?saved={section.key}#sec-{section.key}")


@never_cache
@require_POST
@login_required
def section_preview(request, doc_id, key):
    """The sanitized HTML a save would store, for the editor's live preview (nothing saved)."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    section = selectors.section_get(document, key)
    try:
        html = services.markdown_preview(
            body_md=request.POST.get("body_md", ""), anchor_prefix=section.key
        )
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@login_required
def document_history(request, doc_id):
    """The document's activity: who changed which section when, newest first."""
    document = get_document_for_user(request.user, doc_id)
    page = Paginator(selectors.document_revisions(document), 50).get_page(request.GET.get("page"))
    return render(request, "documents/history.html", {"document": document, "page": page})


@login_required
def section_history(request, doc_id, key):
    """A section's revisions, with a form to compare any two and a restore button each."""
    document = get_document_for_user(request.user, doc_id)
    section = selectors.section_get(document, key)
    revisions = list(selectors.section_revisions(section))
    context = {
        "document": document,
        "section": section,
        "revisions": revisions,
        "can_edit": can_edit_document(request.user, document) and not document.is_archived,
    }
    return render(request, "documents/section_history.html", context)


@login_required
def revision_compare(request, doc_id, key):
    """A readable diff between two revisions of a section: text lines and field paths."""
    document = get_document_for_user(request.user, doc_id)
    section = selectors.section_get(document, key)
    try:
        old_version, new_version = int(request.GET["from"]), int(request.GET["to"])
    except (KeyError, ValueError):
        messages.error(request, _("Pick two versions to compare."))
        return redirect("documents:section_history", document.id, section.key)
    old = selectors.section_revision_get(section, old_version)
    new = selectors.section_revision_get(section, new_version)
    context = {
        "document": document,
        "section": section,
        "old": old,
        "new": new,
        "lines": diff.text_diff(old.body_md, new.body_md),
        "changes": diff.fields_diff(old.data, new.data),
    }
    return render(request, "documents/revision_compare.html", context)


@require_POST
@login_required
def revision_restore(request, doc_id, key, version):
    """Save an old revision as the section's newest version (editors and owners)."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    section = selectors.section_get(document, key)
    revision = selectors.section_revision_get(section, version)
    revision.section = section
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        base_version = section.version
    try:
        restored = services.revision_restore(
            revision=revision, author=request.user, base_version=base_version
        )
    except services.SectionConflict:
        messages.error(
            request, _("The section changed since you opened its history; nothing was restored.")
        )
        return redirect("documents:section_history", document.id, section.key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:section_history", document.id, section.key)
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s.")
        % {"old": version, "new": restored.version},
    )
    url = reverse("documents:detail", args=[document.id])
    return redirect(f"{url}#sec-{section.key}")
