"""Exporting in a real browser: the menu, the job page polling the job row, the download."""

import pytest
from playwright.sync_api import expect

from apps.exports import services
from apps.exports.models import ExportJob


@pytest.fixture
def no_worker(settings, tmp_path, monkeypatch):
    """Jobs stay queued until the test renders them (the worker path is tested in
    tests/exports/test_worker.py); files go to a scratch media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)


def test_the_job_page_polls_until_the_pdf_is_ready(
    signed_in, screenshot, written_doc, victor, no_worker
):
    page = signed_in(victor).new_page()
    page.goto(f"/documents/{written_doc.pk}/")
    page.get_by_text("Export", exact=True).click()
    page.get_by_role("button", name="PDF (A4)").click()
    status = page.locator("#export-job [data-status]")
    expect(status).to_have_text("Waiting for a worker…")
    download_link = page.get_by_role("link", name="Download ctr-prediction.pdf")
    expect(download_link).to_be_hidden()

    services.export_render(job_id=ExportJob.objects.get().pk)
    expect(status).to_have_text("Ready.")
    expect(download_link).to_be_visible()
    screenshot(page, "export-ready")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "ctr-prediction.pdf"
