"""Export jobs: one per content, frozen snapshots, claims, retries, the sweep."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.documents.services import section_save
from apps.exports import markdown_format, services
from apps.exports.models import ExportJob
from apps.reviews import selectors as review_selectors
from apps.reviews import services as review_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def queued(django_capture_on_commit_callbacks, monkeypatch):
    """Jobs enqueued on commit, recorded instead of sent to a broker."""
    sent = []
    monkeypatch.setattr(
        "apps.exports.tasks.export_render_task.delay", lambda job_id: sent.append(job_id)
    )
    return sent


def ask(doc, user, fmt="pdf", **kwargs):
    return services.export_request(document=doc, user=user, format=fmt, **kwargs)


def test_asking_twice_for_the_same_content_returns_the_same_job(
    doc, alice, bob, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(doc, alice)
        again = ask(doc, bob)
    assert first.pk == again.pk and queued == [str(first.pk)]
    assert ExportJob.objects.count() == 1


def test_new_content_or_another_format_or_paper_is_a_new_job(doc, alice, queued):
    pdf = ask(doc, alice)
    letter = ask(doc, alice, paper="letter")
    markdown = ask(doc, alice, "markdown")
    section_save(section=doc.sections.get(key="s0"), body_md="Changed", author=alice)
    changed = ask(doc, alice)
    assert len({pdf.pk, letter.pk, markdown.pk, changed.pk}) == 4


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"fmt": "docx"}, "format"), ({"paper": "a3"}, "paper")]
)
def test_bad_formats_are_refused(doc, alice, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        ask(doc, alice, **kwargs)
    assert field in excinfo.value.message_dict and not ExportJob.objects.exists()


def test_another_teams_member_cannot_export(doc, carol):
    with pytest.raises(PermissionDenied):
        ask(doc, carol)


def test_a_job_renders_the_content_that_was_requested(doc, alice, queued):
    section_save(section=doc.sections.get(key="s0"), body_md="Requested text.", author=alice)
    job = ask(doc, alice, "markdown")
    section_save(section=doc.sections.get(key="s0"), body_md="Edited afterwards.", author=alice)
    done = services.export_render(job_id=job.pk)
    assert done.status == "done" and done.attempts == 1 and done.render_ms is not None
    text = done.file.read().decode()
    assert "Requested text." in text and "Edited afterwards." not in text


def test_a_finished_job_is_not_rendered_again(doc, alice, queued):
    job = ask(doc, alice, "markdown")
    services.export_render(job_id=job.pk)
    assert services.export_render(job_id=job.pk) is None
    assert services.export_render(job_id=job.pk, task_id=job.task_id) is None
    job.refresh_from_db()
    assert job.attempts == 1
    assert len(default_storage.listdir(f"exports/{job.pk}")[1]) == 1


def test_a_render_error_is_retried_then_fails_after_the_bounded_attempts(
    doc, alice, queued, monkeypatch
):
    job = ask(doc, alice)

    def crash(job):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "render_bytes", crash)
    for attempt in range(1, services.MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            services.export_render(job_id=job.pk)
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("queued", attempt)
    services.export_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "3 attempts" in job.error and not job.file


def test_a_refused_document_fails_at_once_with_the_reason(doc, alice, queued):
    section_save(section=doc.sections.get(key="s0"), body_md="> " * 100 + "deep", author=alice)
    job = services.export_render(job_id=ask(doc, alice).pk)
    assert job.status == "failed" and "levels deep" in job.error and job.attempts == 1


def test_asking_again_after_a_failure_queues_the_job_again(
    doc, alice, queued, django_capture_on_commit_callbacks
):
    job = ask(doc, alice)
    ExportJob.objects.filter(pk=job.pk).update(status="failed", attempts=3, error="x")
    with django_capture_on_commit_callbacks(execute=True):
        again = ask(doc, alice)
    assert again.pk == job.pk and (again.status, again.attempts, again.error) == ("queued", 0, "")
    assert queued == [str(job.pk)]


def test_a_redelivered_message_takes_over_the_job_its_dead_worker_left(doc, alice, queued):
    job = ask(doc, alice, "markdown")
    ExportJob.objects.filter(pk=job.pk).update(status="rendering", attempts=1, task_id="t-1")
    assert services.export_render(job_id=job.pk, task_id="t-2") is None, "not another message"
    assert services.export_render(job_id=job.pk) is None
    done = services.export_render(job_id=job.pk, task_id="t-1")
    assert done.status == "done" and done.attempts == 2


def test_a_worker_that_keeps_dying_ends_failed(doc, alice, queued):
    job = ask(doc, alice)
    ExportJob.objects.filter(pk=job.pk).update(
        status="rendering", attempts=services.MAX_ATTEMPTS, task_id="t-1"
    )
    assert services.export_render(job_id=job.pk, task_id="t-1") is None
    job.refresh_from_db()
    assert job.status == "failed" and "stopped while rendering" in job.error


def test_a_file_left_by_a_dead_worker_is_replaced_not_duplicated(doc, alice, queued):
    job = ask(doc, alice, "markdown")
    default_storage.save(f"exports/{job.pk}/{job.filename}", __import__("io").BytesIO(b"half"))
    done = services.export_render(job_id=job.pk)
    assert default_storage.listdir(f"exports/{job.pk}")[1] == [job.filename]
    assert done.file.read().startswith(b"---")


def test_the_sweep_requeues_stuck_jobs_and_fails_hopeless_ones(
    doc, alice, queued, django_capture_on_commit_callbacks
):
    stuck = ask(doc, alice)
    hopeless = ask(doc, alice, "markdown")
    fresh = ask(doc, alice, paper="letter")
    section_save(section=doc.sections.get(key="s0"), body_md="Other content.", author=alice)
    lost = ask(doc, alice)  # queued; its message went with a restarted Redis
    waiting = ask(doc, alice, "markdown")  # queued a moment ago: its message is on the way
    long_ago = timezone.now() - timedelta(hours=1)
    ExportJob.objects.filter(pk=lost.pk).update(queued_at=long_ago)
    ExportJob.objects.filter(pk=stuck.pk).update(
        status="rendering", started_at=long_ago, attempts=1
    )
    ExportJob.objects.filter(pk=hopeless.pk).update(
        status="rendering", started_at=long_ago, attempts=services.MAX_ATTEMPTS
    )
    ExportJob.objects.filter(pk=fresh.pk).update(status="rendering", started_at=timezone.now())
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_sweep() == 2
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: "queued",
        hopeless.pk: "failed",
        fresh.pk: "rendering",
        lost.pk: "queued",
        waiting.pk: "queued",
    }
    assert sorted(queued) == sorted([str(stuck.pk), str(lost.pk)])
    # Sent again now: the next sweep leaves them alone until the cutoff passes once more.
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_sweep() == 0
    assert queued == []


def test_a_broker_that_is_down_leaves_the_job_queued_for_the_sweep(
    doc, alice, queued, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refused(job_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", refused)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(doc, alice)
    assert ExportJob.objects.get(pk=job.pk).status == "queued"
    assert "the broker is unreachable" in caplog.text
    monkeypatch.setattr(
        "apps.exports.tasks.export_render_task.delay", lambda job_id: queued.append(job_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_sweep(older_than=timedelta(0)) == 1
    assert queued == [str(job.pk)]


def test_a_signed_off_version_exports_its_frozen_content(written_doc, alice, bob, queued):
    doc = written_doc
    review_services.review_request(document=doc, requested_by=alice, usernames=["bob"])
    state = review_selectors.signoff_state(doc)
    review_services.review_decide(
        document=doc, reviewer=bob, kind="approve", content_hash=state.requests[0].covered_hash
    )
    version = review_selectors.document_signed_versions(doc).get()
    section_save(section=doc.sections.get(key="s1"), body_md="A new draft.", author=alice)
    job = ask(doc, alice, "markdown", version=version)
    assert job.content_hash == version.content_hash and job.snapshot["signed_off"]
    text = services.export_render(job_id=job.pk).file.read().decode()
    assert "What s1 says." in text and "A new draft." not in text


def test_the_markdown_export_reads_back_as_the_same_document(written_doc, alice, queued):
    doc = written_doc
    section_save(section=doc.sections.get(key="s0"), body_md="Body with *emphasis*.", author=alice)
    job = services.export_render(job_id=ask(doc, alice, "markdown").pk)
    parsed = markdown_format.parse(job.file.read().decode())
    assert parsed.meta == {"template": "tiny", "title": "CTR prediction", "language": "en"}
    matched = markdown_format.match_sections(
        parsed, [(s.key, s.spec.titles()) for s in doc.sections.select_related("spec")]
    )
    assert matched["s0"] == ({}, "Body with *emphasis*.")
    assert matched["s2"] == ({}, "What s2 says.")


def test_a_version_export_is_its_own_job_even_for_content_exported_as_a_draft(
    written_doc, alice, bob, queued
):
    draft = ask(written_doc, alice)
    assert not draft.snapshot["signed_off"]
    review_services.review_request(document=written_doc, requested_by=alice, usernames=["bob"])
    state = review_selectors.signoff_state(written_doc)
    review_services.review_decide(
        document=written_doc,
        reviewer=bob,
        kind="approve",
        content_hash=state.requests[0].covered_hash,
    )
    version = review_selectors.document_signed_versions(written_doc).get()
    signed = ask(written_doc, alice, version=version)
    assert signed.pk != draft.pk and signed.content_hash == draft.content_hash
    assert signed.snapshot["signed_off"] and signed.snapshot["approvals"][0]["reviewer"] == "bob"
    assert signed.snapshot["approvals"][0]["at"].endswith(" UTC")
    assert ask(written_doc, alice, version=version).pk == signed.pk
