"""HTML pages of exports: ask for a file, watch the job, download it (permission-checked)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Need, get_document_for_user, get_export_for_user
from apps.exports import services
from apps.exports.forms import ExportForm
from apps.exports.models import ExportJob
from apps.reviews.selectors import signed_version_get


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
    job = get_export_for_user(request.user, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("Not ready.")
    content_type = "application/pdf" if job.format == "pdf" else "text/markdown; charset=utf-8"
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
