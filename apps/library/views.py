"""HTML pages of the library: browse and search, read an example, clone it, compare with it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Need, get_document_for_user, get_team_for_user, role_allows
from apps.accounts.selectors import team_list_for_user
from apps.checklists.messages import localized_statuses
from apps.documents import fields
from apps.documents.selectors import document_list_for_user, document_sections
from apps.library import selectors, services
from apps.library.forms import CloneForm, CompareForm, LibraryFilterForm


def _writable_teams(user) -> list:
    if not user.is_authenticated:
        return []
    return [t for t in team_list_for_user(user) if role_allows(t.user_role, Need.EDIT)]


def example_list(request):
    """Every published example, filtered by task type, serving mode, domain and template."""
    form = LibraryFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters = form.filters() if request.GET else {}
    examples = list(selectors.example_list(**filters))
    narrowed = any(filters.values())
    return render(
        request,
        "library/list.html",
        {"form": form, "examples": examples, "narrowed": narrowed},
    )


def _detail(request, example, form, teams, *, status: int = 200):
    context = {
        "example": example,
        "sections": selectors.example_sections(example),
        "translations": selectors.example_translations(example),
        "rules": localized_statuses(example.statuses),
        "clone_form": form,
        "has_writable_team": bool(teams),
    }
    return render(request, "library/detail.html", context, status=status)


def example_detail(request, slug):
    """One example read like a document, with its checklist; clone and compare from here."""
    example = selectors.example_get(slug)
    teams = _writable_teams(request.user)
    return _detail(request, example, CloneForm(teams=teams), teams)


@require_POST
@login_required
def example_clone(request, slug):
    """A new draft in one of my teams, starting from the example."""
    example = selectors.example_get(slug)
    teams = _writable_teams(request.user)
    form = CloneForm(request.POST, teams=teams)
    if form.is_valid():
        team = get_team_for_user(request.user, form.cleaned_data["team"], need=Need.EDIT)
        try:
            document = services.example_clone(
                example=example, team=team, user=request.user, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("“%(title)s” is now a draft of %(team)s. It is yours to change.")
                % {"title": document.title, "team": team.name},
            )
            return redirect("documents:detail", document.id)
    return _detail(request, example, form, teams, status=400)


@login_required
def compare(request):
    """My document and an example side by side, section by section."""
    documents = list(document_list_for_user(request.user)[:200])
    examples = list(selectors.example_list())
    form = CompareForm(request.GET or None, documents=documents, examples=examples)
    context = {"form": form, "has_documents": bool(documents)}
    if not request.GET:
        return render(request, "library/compare.html", context)
    if not form.is_valid():
        return render(request, "library/compare.html", context, status=400)
    document = get_document_for_user(request.user, form.cleaned_data["document"])
    example = selectors.example_get(form.cleaned_data["example"])
    theirs = selectors.example_sections(example)
    rows = []
    for section in document_sections(document):
        section.field_blocks = fields.display_blocks(section.spec.local_schema, section.data)
        match = selectors.counterpart(section, theirs)
        same = match is not None and (match.body_md, match.data) == (section.body_md, section.data)
        rows.append({"mine": section, "theirs": match, "same": same})
    context.update({"document": document, "example": example, "rows": rows})
    return render(request, "library/compare.html", context)
