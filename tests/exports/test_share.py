"""Share links: owners share a signed-off version or its PDF with people without an account."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.documents.services import section_save
from apps.exports import services
from apps.exports.models import ExportJob, ShareLink
from apps.reviews import selectors as review_selectors
from apps.reviews import services as review_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)


@pytest.fixture
def version(written_doc, alice, bob):
    review_services.review_request(document=written_doc, requested_by=alice, usernames=["bob"])
    state = review_selectors.signoff_state(written_doc)
    review_services.review_decide(
        document=written_doc,
        reviewer=bob,
        kind="approve",
        content_hash=state.requests[0].covered_hash,
    )
    return review_selectors.document_signed_versions(written_doc).get()


def share(version, user, kind="page"):
    return services.share_link_create(
        document=version.document, user=user, version=version, kind=kind
    )


def test_anyone_with_the_link_reads_the_signed_off_version(client, version, alice):
    link = share(version, alice)
    section_save(
        section=version.document.sections.get(key="s0"), body_md="Draft goes on.", author=alice
    )
    response = client.get(f"/s/{link.token}/")
    assert response.status_code == 200
    assert b"What s0 says." in response.content and b"Draft goes on." not in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    link.refresh_from_db()
    assert link.views == 1


def test_a_pdf_link_prepares_the_pdf_then_serves_it(client, version, alice):
    link = share(version, alice, "pdf")
    pending = client.get(f"/s/{link.token}/")
    assert pending.status_code == 200 and b"Preparing the PDF" in pending.content
    job = ExportJob.objects.get()
    assert job.content_hash == version.content_hash and job.snapshot["signed_off"]
    assert client.get(f"/s/{link.token}/?status=1").json()["status"] == "queued"
    services.export_render(job_id=job.pk)
    status = client.get(f"/s/{link.token}/?status=1").json()
    assert status["download_url"] == f"/s/{link.token}/"
    pdf = client.get(f"/s/{link.token}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_revoked_and_unknown_links_are_404(client, version, alice):
    link = share(version, alice)
    services.share_link_revoke(link=link, user=alice)
    assert client.get(f"/s/{link.token}/").status_code == 404
    assert client.get("/s/not-a-token/").status_code == 404


def test_only_owners_share_and_revoke(version, alice, bob, eddie):
    with pytest.raises(PermissionDenied):
        share(version, bob)
    link = share(version, alice)
    with pytest.raises(PermissionDenied):
        services.share_link_revoke(link=link, user=eddie)
    link.refresh_from_db()
    assert link.is_active


def test_only_signed_off_versions_are_shared(version, alice, written_doc, team_a):
    from tests.factories import make_document

    other = make_document(team_a, alice, template=written_doc.template, title="Other")
    with pytest.raises(ValidationError):
        services.share_link_create(document=other, user=alice, version=version, kind="page")
    with pytest.raises(ValidationError):
        share(version, alice, kind="zip")
    assert ShareLink.objects.count() == 0


def test_the_versions_page_creates_lists_and_revokes_links(client, version, alice, bob):
    client.force_login(alice)
    doc = version.document
    response = client.post(f"/documents/{doc.pk}/versions/1/share/", {"kind": "pdf"}, follow=True)
    link = ShareLink.objects.get()
    assert f"/s/{link.token}/".encode() in response.content
    client.post(f"/documents/{doc.pk}/share-links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert not link.is_active
    client.force_login(bob)
    page = client.get(f"/documents/{doc.pk}/versions/")
    assert b"Create link" not in page.content
