"""Writes of exports: ask for a file, render it in a worker, recover jobs of dead workers.

A job is unique per (document content, format, paper): asking again for content already
exported returns the same job and its file. The worker claims a job with a compare-and-set
UPDATE, renders the frozen snapshot, stores the file through Django storage and only then
marks the job done; file bytes never go through the broker or the result backend.
"""

import logging
import re
import secrets
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from apps.accounts.permissions import can_create_document, can_view_document, is_document_owner
from apps.documents.models import Document, document_content_hash
from apps.documents.services import document_create, section_save
from apps.exports import markdown_format, pdf, snapshot
from apps.exports.models import ExportJob, ShareLink
from apps.templates_catalog.models import DesignTemplate

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _send(job_id: str) -> None:
    """Hand a job to the broker. A broker that is down (Redis restarting) leaves the job queued:
    the sweep sends it again, so asking for an export never fails because of the broker."""
    from apps.exports.tasks import export_render_task

    try:
        export_render_task.delay(job_id)
    except OperationalError:
        logger.warning("Export %s stays queued: the broker is unreachable", job_id, exc_info=True)


def _enqueue(job: ExportJob) -> None:
    transaction.on_commit(lambda: _send(str(job.pk)))


@transaction.atomic
def export_request(
    *, document: Document, user, format: str, paper: str = "a4", version=None
) -> ExportJob:
    """The export of `document` (or of its signed-off `version`) in `format`: an existing job
    for the same content, or a new one queued for a worker. A failed job is queued again."""
    if not can_view_document(user, document):
        raise PermissionDenied(_("You cannot export this document."))
    if format not in ExportJob.Format.values:
        raise ValidationError({"format": _("Choose pdf or markdown.")})
    if paper not in ExportJob.Paper.values:
        raise ValidationError({"paper": _("Choose A4 or Letter.")})
    if format == ExportJob.Format.MARKDOWN:
        paper = ExportJob.Paper.A4  # paper does not apply: one Markdown file per content
    # The content hash alone finds an earlier export: a repeat costs two small queries.
    if version is None:
        content_hash = document_content_hash(document.sections.only("key", "content_hash"))
    else:
        content_hash = version.content_hash
    same = {
        "document": document,
        "format": format,
        "paper": paper,
        "version": version,
        "language": document.language,
    }
    existing = ExportJob.objects.filter(content_hash=content_hash, **same).first()
    if existing is not None:
        if existing.status == ExportJob.Status.FAILED:
            requeued = ExportJob.objects.filter(
                pk=existing.pk, status=ExportJob.Status.FAILED
            ).update(status=ExportJob.Status.QUEUED, attempts=0, error="", queued_at=timezone.now())
            if requeued:
                _enqueue(existing)
            existing.refresh_from_db()
        return existing
    frozen = snapshot.build(document, version=version)
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                document=document,
                version=version,
                content_hash=frozen["content_hash"],
                format=format,
                paper=paper,
                language=document.language,
                snapshot=frozen,
                requested_by=user,
            )
    except IntegrityError:
        # Someone asked for the same content at the same moment: theirs is ours.
        return ExportJob.objects.get(content_hash=frozen["content_hash"], **same)
    _enqueue(job)
    return job


def _claim(job_id, *, task_id: str) -> bool:
    """Take a queued job for this task. The same task message, delivered again because its
    worker died, may also take the job it left rendering."""
    mine = Q(status=ExportJob.Status.RENDERING, task_id=task_id) if task_id else Q(pk__in=[])
    return bool(
        ExportJob.objects.filter(pk=job_id, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(status=ExportJob.Status.QUEUED) | mine)
        .update(
            status=ExportJob.Status.RENDERING,
            task_id=task_id,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def render_bytes(job: ExportJob) -> bytes:
    """The file of a job, from its frozen snapshot, in the document's language."""
    with translation.override(job.language):
        if job.format == ExportJob.Format.PDF:
            return pdf.render_pdf(job.snapshot, paper=job.paper)
        return markdown_format.dump(job.snapshot).encode("utf-8")


def export_render(*, job_id, task_id: str = "") -> ExportJob | None:
    """Render a job if this worker can claim it; the file is stored before the job is done.

    Returns None when there is nothing to do (done, failed, or another worker has it). A
    render error is retried by raising, up to MAX_ATTEMPTS in all; a refused document (too
    deep, too many rows) fails at once.
    """
    if not _claim(job_id, task_id=task_id):
        if task_id:
            # This message's worker died mid-render as many times as we allow: give up.
            ExportJob.objects.filter(
                pk=job_id,
                status=ExportJob.Status.RENDERING,
                task_id=task_id,
                attempts__gte=MAX_ATTEMPTS,
            ).update(
                status=ExportJob.Status.FAILED,
                error=_("The worker stopped while rendering, %(n)s times.") % {"n": MAX_ATTEMPTS},
                finished_at=timezone.now(),
            )
        return None
    job = ExportJob.objects.get(pk=job_id)
    started = time.monotonic()
    try:
        content = render_bytes(job)
    except ValidationError as exc:
        _fail(job, " ".join(exc.messages))
        return job
    except Exception as exc:
        logger.exception("Export %s failed on attempt %s", job.pk, job.attempts)
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, _("The export failed after %(n)s attempts (%(error)s).")
                  % {"n": job.attempts, "error": exc.__class__.__name__})  # fmt: skip
            return job
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RENDERING).update(
            status=ExportJob.Status.QUEUED, queued_at=timezone.now()
        )
        raise
    # The file is complete in storage before the row says done; a worker that dies before
    # this line leaves no file behind, only a job that is rendered again.
    name = f"exports/{job.pk}/{job.filename}"
    # A worker that died after writing but before marking done left this name behind: replace
    # it, so a job always has exactly one file.
    job.file.storage.delete(name)
    job.file.name = job.file.storage.save(name, ContentFile(content))
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        error="",
        finished_at=timezone.now(),
        render_ms=int((time.monotonic() - started) * 1000),
    )
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    job.refresh_from_db()


def exports_sweep(*, older_than: timedelta | None = None) -> int:
    """Send again the jobs whose message is gone: left rendering by a dead worker (failed after
    MAX_ATTEMPTS), or queued while the broker was down or lost its queue (Redis restarted).

    A job still waiting behind a long queue may get a second message; the claim is a
    compare-and-set, so only one message ever renders it."""
    if older_than is None:
        older_than = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)
    now = timezone.now()
    cutoff = now - older_than
    stuck = ExportJob.objects.filter(status=ExportJob.Status.RENDERING, started_at__lt=cutoff)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ExportJob.Status.FAILED,
        error=_("The worker stopped while rendering, %(n)s times.") % {"n": MAX_ATTEMPTS},
        finished_at=now,
    )
    resent = []
    for job_id in stuck.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True):
        if ExportJob.objects.filter(
            pk=job_id, status=ExportJob.Status.RENDERING, started_at__lt=cutoff
        ).update(status=ExportJob.Status.QUEUED, queued_at=now):
            resent.append(job_id)
    waiting = ExportJob.objects.filter(status=ExportJob.Status.QUEUED, queued_at__lt=cutoff)
    for job_id in waiting.values_list("pk", flat=True):
        if ExportJob.objects.filter(
            pk=job_id, status=ExportJob.Status.QUEUED, queued_at__lt=cutoff
        ).update(queued_at=now):
            resent.append(job_id)
    for job_id in resent:
        transaction.on_commit(partial(_send, str(job_id)))
    if failed or resent:
        logger.warning("Export sweep: %s sent again, %s failed", len(resent), failed)
    return len(resent)


IMPORT_MAX_BYTES = 1_000_000
_TITLE_HEADING = re.compile(r"^# +(.+?)\s*$", re.MULTILINE)


def _first_heading(text: str) -> str:
    """The `# Title` line of plain Markdown, if it comes before the first section."""
    match = _TITLE_HEADING.search(text.split("\n## ", 1)[0])
    return match.group(1)[:200] if match else ""


@transaction.atomic
def document_import(*, team, user, text: str, template_key: str = "", title: str = "") -> Document:
    """A new document in `team` from a Markdown file: the export format (front matter, a YAML
    block of fields per section, bodies), or plain Markdown whose `## ` headings name template
    sections. All or nothing: any error leaves no document behind."""
    if not can_create_document(user, team):
        raise PermissionDenied(_("Only editors and owners add documents to this team."))
    if len(text.encode("utf-8")) > IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(n)s MB.") % {"n": IMPORT_MAX_BYTES // 1_000_000}}
        )
    try:
        parsed = markdown_format.parse(text)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    key = (template_key or str(parsed.meta.get("template") or "")).strip()
    if not key:
        raise ValidationError({"template": _("Choose the template this Markdown follows.")})
    template = DesignTemplate.objects.filter(key=key, is_latest=True).first()
    if template is None:
        raise ValidationError({"template": _("There is no template “%(key)s”.") % {"key": key}})
    specs = list(template.sections.order_by("position"))
    try:
        matched = markdown_format.match_sections(parsed, [(s.key, s.titles()) for s in specs])
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if not matched:
        raise ValidationError(
            {
                "file": _("No “## ” heading matches a section of %(template)s.")
                % {"template": template.local_title}
            }
        )
    document = document_create(
        team=team,
        template=template,
        title=title
        or str(parsed.meta.get("title") or "")
        or _first_heading(text)
        or _("Imported document"),
        summary=str(parsed.meta.get("summary") or ""),
        language=str(parsed.meta.get("language") or ""),
        created_by=user,
    )
    errors: dict[str, list[str]] = {}
    sections = {s.key: s for s in document.sections.select_related("spec", "document")}
    for key, (data, body) in matched.items():
        try:
            section_save(
                section=sections[key],
                body_md=body,
                data=data or None,
                author=user,
                check_references=False,
            )
        except ValidationError as exc:
            title_of = sections[key].spec.local_title
            errors.setdefault("file", []).extend(f"{title_of}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError(errors)
    return document


@transaction.atomic
def share_link_create(*, document: Document, user, version, kind: str) -> ShareLink:
    """A new read-only link to a signed-off version (or its PDF); owners only."""
    if not is_document_owner(user, document):
        raise PermissionDenied(_("Only the document's author or a team owner shares it."))
    if kind not in ShareLink.Kind.values:
        raise ValidationError({"kind": _("Share the web page or the PDF.")})
    if version is None or version.document_id != document.pk:
        raise ValidationError({"version": _("Only a signed-off version can be shared.")})
    return ShareLink.objects.create(
        token=secrets.token_urlsafe(32),
        document=document,
        version=version,
        kind=kind,
        created_by=user,
    )


@transaction.atomic
def share_link_revoke(*, link: ShareLink, user) -> None:
    """Turn a link off for good: it answers 404 from now on."""
    if not is_document_owner(user, link.document):
        raise PermissionDenied(_("Only the document's author or a team owner revokes links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def share_link_opened(*, link: ShareLink) -> ExportJob | None:
    """Count a visit; for a PDF link, the export of its version (asked for on first visit)."""
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1)
    if link.kind != ShareLink.Kind.PDF:
        return None
    return export_request(
        document=link.document,
        user=link.created_by,
        format=ExportJob.Format.PDF,
        version=link.version,
    )
