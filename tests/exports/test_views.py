"""Export pages and API: ask, watch, download; only the document's team ever sees a job."""

import pytest
from rest_framework.test import APIClient

from apps.exports import services
from apps.exports.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_broker(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "apps.exports.tasks.export_render_task.delay", lambda job_id: sent.append(job_id)
    )
    return sent


def login(client, user):
    client.force_login(user)
    return client


def test_asking_for_a_pdf_from_the_page_opens_its_job(client, doc, victor, no_broker):
    response = login(client, victor).post(
        f"/documents/{doc.pk}/exports/", {"format": "pdf", "paper": "a4"}
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    page = client.get(f"/exports/{job.pk}/")
    assert page.status_code == 200 and b"Waiting for a worker" in page.content
    status = client.get(f"/exports/{job.pk}/status/").json()
    assert status["status"] == "queued" and status["download_url"] is None
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_a_done_job_downloads_for_the_team_and_is_a_404_for_others(
    client, doc, alice, carol, no_broker
):
    job = services.export_request(document=doc, user=alice, format="markdown")
    services.export_render(job_id=job.pk)
    login(client, alice)
    assert (
        client.get(f"/exports/{job.pk}/status/").json()["download_url"]
        == f"/exports/{job.pk}/download/"
    )
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ctr-prediction.md"'
    assert b"".join(response.streaming_content).startswith(b"---\ntemplate: tiny")
    login(client, carol)
    for path in ["", "status/", "download/"]:
        assert client.get(f"/exports/{job.pk}/{path}").status_code == 404
    client.logout()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302


def test_a_bad_export_request_says_why(client, doc, alice, no_broker):
    response = login(client, alice).post(
        f"/documents/{doc.pk}/exports/", {"format": "docx"}, follow=True
    )
    assert b"docx" in response.content and not ExportJob.objects.exists()


def test_the_export_menu_is_on_the_document_page(client, doc, victor):
    page = login(client, victor).get(f"/documents/{doc.pk}/")
    assert page.content.count(f'action="/documents/{doc.pk}/exports/"'.encode()) == 3


def test_the_api_asks_polls_and_downloads(doc, alice, carol, no_broker):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(
        f"/api/v1/documents/{doc.pk}/exports/", {"format": "markdown"}, format="json"
    )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job_id = response.json()["id"]
    again = api.post(f"/api/v1/documents/{doc.pk}/exports/", {"format": "markdown"}, format="json")
    assert again.json()["id"] == job_id
    services.export_render(job_id=job_id)
    body = api.get(f"/api/v1/exports/{job_id}/").json()
    assert (
        body["status"] == "done" and body["download_url"] == f"/api/v1/exports/{job_id}/download/"
    )
    assert api.get(body["download_url"]).status_code == 200
    bad = api.post(
        f"/api/v1/documents/{doc.pk}/exports/", {"format": "pdf", "version": 9}, format="json"
    )
    assert bad.status_code == 404
    bad = api.post(f"/api/v1/documents/{doc.pk}/exports/", {"format": "gif"}, format="json")
    assert bad.status_code == 400 and "format" in bad.json()["errors"]
    api.force_authenticate(carol)
    assert api.get(f"/api/v1/exports/{job_id}/").status_code == 404
    assert api.get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    assert (
        api.post(
            f"/api/v1/documents/{doc.pk}/exports/", {"format": "pdf"}, format="json"
        ).status_code
        == 404
    )


def test_the_api_imports_markdown(written_doc, alice, bob, team_a):
    api = APIClient()
    api.force_authenticate(alice)
    text = "---\ntemplate: tiny\ntitle: Copy\n---\n\n## Section 1\n\nImported body.\n"
    response = api.post(
        "/api/v1/documents/import/", {"team": str(team_a.pk), "markdown": text}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "Copy"
    bad = api.post(
        "/api/v1/documents/import/",
        {"team": str(team_a.pk), "markdown": "## Nope\n"},
        format="json",
    )
    assert bad.status_code == 400 and "template" in bad.json()["errors"]
    api.force_authenticate(bob)
    assert (
        api.post(
            "/api/v1/documents/import/", {"team": str(team_a.pk), "markdown": text}, format="json"
        ).status_code
        == 403
    )
