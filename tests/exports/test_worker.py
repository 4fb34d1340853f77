"""Exports through a real Celery worker process sharing the test database (PostgreSQL) and the
broker (Redis in CI): done, crashes, a worker killed mid-render, edits after the request."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from pypdf import PdfReader

from apps.documents.services import section_save
from apps.exports import services
from apps.exports.models import ExportJob
from tests.conftest import BASE_DIR, need_service
from tests.factories import make_document

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    """`worker()` starts a real prefork worker (one child) on this test's database and media;
    every worker started is killed at the end."""
    if connection.vendor != "postgresql":
        need_service("PostgreSQL, so a worker process can share the test database")
    from mlsd_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:  # kombu raises the transport's own errors
        need_service(f"Celery broker {app.conf.broker_url!r} is unreachable: {exc}")
    app.control.purge()
    settings.MEDIA_ROOT = tmp_path / "media"
    slow = tmp_path / "slow"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EXPORT_TEST_HOOKS": "1",
        "EXPORT_TEST_SLOW_FILE": str(slow),
    }
    processes = []

    def start():
        command = [
            sys.executable, "-m", "celery", "-A", "mlsd_portal", "worker", "--pool=prefork",
            "--concurrency=1", "--loglevel=WARNING", "--include=tests.celery_tasks",
            f"--hostname=export-{os.getpid()}-{len(processes)}@%h", "--without-heartbeat",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        processes.append(process)
        return process

    start.slow_file = slow
    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def wait_for(job_id, statuses=("done", "failed"), timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")


def test_an_export_completes_and_renders_the_requested_content(worker, team_a, alice):
    doc = make_document(team_a, alice, title="Feed ranking")
    section_save(section=doc.sections.get(key="s0"), body_md="Requested text.", author=alice)
    pdf_job = services.export_request(document=doc, user=alice, format="pdf")
    md_job = services.export_request(document=doc, user=alice, format="markdown")
    section_save(section=doc.sections.get(key="s0"), body_md="Edited later.", author=alice)
    worker()
    pdf_job, md_job = wait_for(pdf_job.pk), wait_for(md_job.pk)
    assert (pdf_job.status, md_job.status) == ("done", "done"), (pdf_job.error, md_job.error)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_job.file.read())).pages)
    assert "Feed ranking" in text and "Requested text." in text and "Edited later." not in text
    assert "Requested text." in md_job.file.read().decode()
    assert pdf_job.task_id and pdf_job.attempts == 1


def test_a_job_that_always_crashes_fails_after_bounded_deliveries_and_the_queue_moves_on(
    worker, team_a, alice
):
    crashing = make_document(team_a, alice, title="crash on every render")
    fine = make_document(team_a, alice, template=crashing.template, title="Fine document")
    bad = services.export_request(document=crashing, user=alice, format="pdf")
    good = services.export_request(document=fine, user=alice, format="markdown")
    worker()
    bad, good = wait_for(bad.pk, timeout=120), wait_for(good.pk, timeout=120)
    assert bad.status == "failed" and bad.attempts == services.MAX_ATTEMPTS, bad.error
    assert "stopped while rendering" in bad.error and not bad.file
    assert good.status == "done"


def test_a_worker_killed_mid_render_still_ends_with_exactly_one_file(
    worker, settings, team_a, alice
):
    doc = make_document(team_a, alice, title="slow to render")
    worker.slow_file.touch()
    job = services.export_request(document=doc, user=alice, format="pdf")
    first = worker()
    wait_for(job.pk, statuses=("rendering",))
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    worker.slow_file.unlink()
    worker()
    # The broker may hand the unacknowledged message to the new worker, which takes the job
    # back; if not, beat's sweep requeues it (after CELERY_TASK_TIME_LIMIT × 2; not waited here).
    services.exports_sweep(older_than=timedelta(0))
    job = wait_for(job.pk)
    assert job.status == "done" and job.attempts == 2
    files = os.listdir(settings.MEDIA_ROOT / "exports" / str(job.pk))
    assert files == [job.filename]


def test_hostile_documents_fail_cleanly_and_the_worker_renders_the_next_job(worker, team_a, alice):
    deep = make_document(team_a, alice, title="Deep quotes")
    section_save(section=deep.sections.get(key="s0"), body_md="> " * 200 + "deep", author=alice)
    wide = make_document(team_a, alice, template=deep.template, title="Huge table")
    table = "| n |\n|---|\n" + "".join(f"| {i} |\n" for i in range(5_000))
    section_save(section=wide.sections.get(key="s0"), body_md=table, author=alice)
    fine = make_document(team_a, alice, template=deep.template, title="Fine document")
    jobs = [
        services.export_request(document=d, user=alice, format="pdf") for d in (deep, wide, fine)
    ]
    worker()
    deep_job, wide_job, fine_job = (wait_for(job.pk) for job in jobs)
    assert deep_job.status == "failed" and "levels deep" in deep_job.error
    assert wide_job.status == "failed" and "table rows" in wide_job.error
    assert fine_job.status == "done" and fine_job.file
