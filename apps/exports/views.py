"""HTML pages of exports: ask for a file, watch the job, download it (permission-checked)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import (
    Need,
    get_document_for_user,
    get_export_for_user,
    get_team_for_user,
    role_allows,
)
from apps.accounts.selectors import team_list_for_user
from apps.exports import selectors, services
from apps.exports.forms import ExportForm, ImportForm
from apps.exports.models import ExportJob, ShareLink
from apps.reviews.selectors import signed_version_display, signed_version_get
from apps.templates_catalog.selectors import template_list


@require_POST
@login_required
def export_create(request, doc_id):
    """Ask for a PDF or Markdown file of the draft or of a signed-off version."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("documents:detail", document.pk)
    number = form.cleaned_data["version"]
    version = signed_version_get(document, number) if number else None
    try:
        job = services.export_request(
            document=document,
            user=request.user,
            format=form.cleaned_data["format"],
            paper=form.cleaned_data["paper"],
            version=version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:detail", document.pk)
    return redirect("exports:job", job.pk)


def job_payload(job: ExportJob) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": job.get_status_display(),
        "format": job.format,
        "error": job.error,
        "attempts": job.attempts,
        "download_url": reverse("exports:download", args=[job.pk])
        if job.status == ExportJob.Status.DONE
        else None,
    }


@login_required
def job_detail(request, job_id):
    """The job's progress; the page polls `job_status` and then offers the download."""
    job = get_export_for_user(request.user, job_id)
    return render(request, "exports/job.html", {"job": job, "document": job.document})


@login_required
def job_status(request, job_id):
    job = get_export_for_user(request.user, job_id)
    return JsonResponse(job_payload(job))


@login_required
def download(request, job_id):
    """The file of a finished job, for members of the document's team only."""
    return file_response(get_export_for_user(request.user, job_id))


def file_response(job: ExportJob) -> FileResponse:
    """The stored file of a finished job as a download (404 until it is done)."""
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("Not ready.")
    content_type = "application/pdf" if job.format == "pdf" else "text/markdown; charset=utf-8"
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def document_import(request):
    """Create a document from a Markdown file."""
    teams = [t for t in team_list_for_user(request.user) if role_allows(t.user_role, Need.EDIT)]
    templates = list(template_list())
    form = ImportForm(request.POST or None, request.FILES or None, teams=teams, templates=templates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            team = get_team_for_user(request.user, form.cleaned_data["team"], need=Need.EDIT)
            try:
                document = services.document_import(
                    team=team,
                    user=request.user,
                    text=form.cleaned_data["file"],
                    template_key=form.cleaned_data["template"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Imported. Check each section, then carry on."))
                return redirect("documents:detail", document.pk)
        status = 400
    return render(
        request, "exports/import.html", {"form": form, "has_teams": bool(teams)}, status=status
    )


def _share_headers(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def share_view(request, token):
    """A share link, for anyone who has it: the signed-off version, or its PDF. Unknown and
    revoked links are 404s, like any page that does not exist."""
    link = selectors.share_link_get(token)
    document, version = link.document, link.version
    if link.kind == ShareLink.Kind.PAGE:
        services.share_link_opened(link=link)
        version = signed_version_display(document, version)
        context = {"document": document, "version": version}
        return _share_headers(render(request, "exports/share.html", context))
    polling = request.GET.get("status") == "1"
    try:
        job = selectors.share_link_job(link) if polling else services.share_link_opened(link=link)
    except PermissionDenied:
        raise Http404("Not found.") from None
    if polling:
        payload = job_payload(job) | {
            "download_url": request.path if job.status == ExportJob.Status.DONE else None
        }
        return _share_headers(JsonResponse(payload))
    if job.status == ExportJob.Status.DONE:
        return _share_headers(file_response(job))
    context = {"document": document, "version": version, "job": job}
    return _share_headers(render(request, "exports/share_pending.html", context))


@require_POST
@login_required
def share_create(request, doc_id, number):
    """Create a share link to a signed-off version (owners)."""
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    version = signed_version_get(document, number)
    try:
        link = services.share_link_create(
            document=document, user=request.user, version=version, kind=request.POST.get("kind", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        url = request.build_absolute_uri(reverse("exports:share", args=[link.token]))
        messages.success(request, _("Share link created: %(url)s") % {"url": url})
    return redirect("reviews:versions", document.pk)


@require_POST
@login_required
def share_revoke(request, doc_id, link_id):
    document = get_document_for_user(request.user, doc_id, need=Need.VIEW)
    link = selectors.document_share_link_get(document, link_id)
    services.share_link_revoke(link=link, user=request.user)
    messages.success(request, _("The link is revoked: it shows “not found” from now on."))
    return redirect("reviews:versions", document.pk)
