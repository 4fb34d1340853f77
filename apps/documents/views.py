"""HTML pages for documents: dashboard, create, read, edit details and sections, archive."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.permissions import (
    Need,
    can_edit_document,
    get_document_for_user,
    get_team_for_user,
    role_allows,
)
from apps.accounts.selectors import team_list_for_user
from apps.documents import diff, fields, selectors, services
from apps.documents.forms import (
    DashboardFilterForm,
    DocumentCreateForm,
    DocumentEditForm,
    SectionForm,
)
from apps.documents.models import SECTION_BODY_MAX_CHARS
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

    initial = {}
    if request.GET.get("template") in {template.key for template in templates}:
        initial["template"] = request.GET["template"]
    if request.GET.get("team") in {str(team.id) for team in teams}:
        initial["team"] = request.GET["team"]
    form = DocumentCreateForm(initial=initial, teams=teams, templates=templates)
    return render(request, "documents/create.html", {**context, "form": form})


@login_required
def detail(request, doc_id):
    """The document: header, table of contents and every section's stored HTML."""
    document = get_document_for_user(request.user, doc_id)
    sections = list(selectors.document_sections(document))
    context = {
        "document": document,
        "sections": sections,
        "written_count": sum(1 for section in sections if not section.is_empty),
        "can_edit": can_edit_document(request.user, document),
    }
    return render(request, "documents/detail.html", context)


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
    form = DocumentEditForm(initial={"title": document.title, "summary": document.summary})
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


def _section_page(request, document, section, form, *, conflict=None, errors=None, status=200):
    """The editor: Markdown body, structured fields built from the schema, and any conflict."""
    spec = section.spec
    has_fields = bool(spec.field_schema.get("properties"))
    sections = selectors.document_sections(document)
    context = {
        "document": document,
        "section": section,
        "spec": spec,
        "form": form,
        "has_fields": has_fields,
        "field_errors": errors or {},
        "field_choices": fields.reference_choices(fields.snapshot(sections)),
        "body_limit": SECTION_BODY_MAX_CHARS,
        "conflict": conflict,
    }
    if conflict is not None:
        mine_body = form.initial.get("body_md", "")
        mine_data = form.initial.get("data_value") or {}
        context["conflict_text"] = diff.text_diff(conflict.body_md, mine_body)
        context["conflict_fields"] = diff.fields_diff(conflict.data, mine_data)
    return render(request, "documents/section_edit.html", context, status=status)


def _section_form(section, *, body_md=None, data=None, version=None) -> SectionForm:
    body_md = section.body_md if body_md is None else body_md
    data = section.data if data is None else data
    return SectionForm(
        initial={
            "body_md": body_md,
            "data": json.dumps(data, indent=2, ensure_ascii=False),
            "data_value": data,
            "base_version": version or section.version,
        }
    )


@login_required
def section_edit(request, doc_id, key):
    """Edit a section's body and structured fields; a stale base version shows the conflict."""
    document = get_document_for_user(request.user, doc_id, need=Need.EDIT)
    section = selectors.section_get(document, key)
    has_fields = bool(section.spec.field_schema.get("properties"))
    if request.method != "POST":
        if document.is_archived:
            messages.warning(request, _("This document is archived: restore it before editing."))
            return redirect("documents:detail", document.id)
        return _section_page(request, document, section, _section_form(section))
    form = SectionForm(request.POST)
    if not form.is_valid():
        return _section_page(request, document, section, form, status=400)
    body_md, data = form.cleaned_data["body_md"], form.cleaned_data["data"]
    try:
        services.section_save(
            section=section,
            body_md=body_md,
            data=data if has_fields else None,
            base_version=form.cleaned_data["base_version"],
            author=request.user,
        )
    except services.SectionConflict as exc:
        # Nothing was written: show theirs beside mine; the next save is based on theirs.
        current = exc.current
        form = _section_form(current, body_md=body_md, data=data, version=current.version)
        return _section_page(request, document, current, form, conflict=current, status=409)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for name in ("body_md", "__all__"):
            if name in errors:
                form.add_error("body_md" if name == "body_md" else None, errors.pop(name))
        if errors.get("data"):
            form.add_error("data", errors.pop("data"))
        if errors:
            form.add_error(None, _("Some fields need attention; nothing was saved."))
        return _section_page(request, document, section, form, errors=errors, status=400)
    messages.success(request, _("“%(title)s” saved.") % {"title": section.spec.title})
    url = reverse("documents:detail", args=[document.id])
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
