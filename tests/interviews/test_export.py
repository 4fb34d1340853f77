"""The interview in exports: the PDF shows the time per block, and no export carries the notes."""

import io
import json

import pytest
from pypdf import PdfReader

from apps.exports import markdown_format, pdf, snapshot
from apps.exports.models import ExportJob
from apps.exports.services import export_request
from apps.interviews import services
from tests.interviews.conftest import login
from tests.interviews.test_views import SECRET

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def finished(doc, alice, bob, clock):
    services.interviewer_invite(document=doc, user=alice, username="bob")
    services.interview_start(document=doc, user=alice)
    clock.advance(minutes=6, seconds=10)
    services.interview_next(document=doc, user=bob)
    clock.advance(minutes=3, seconds=5)
    services.interview_finish(document=doc, user=alice)
    services.interview_note_save(document=doc, user=bob, block_key="clarify", body=SECRET)
    return doc


def test_the_snapshot_has_the_time_per_block_and_never_the_notes(finished):
    frozen = snapshot.build(finished)
    interview = frozen["interview"]
    assert interview["status"] == "finished" and interview["interviewer"] == "bob"
    assert interview["blocks"][0] == {
        "number": 1,
        "title": "Clarify the problem and requirements",
        "budget": "5:00",
        "actual": "6:10",
        "difference": "+1:10",
        "over": True,
    }
    assert interview["blocks"][1]["actual"] == "3:05"
    assert interview["blocks"][2]["actual"] == "" and interview["blocks"][2]["difference"] == ""
    assert (interview["budget"], interview["actual"], interview["difference"]) == (
        "45:00",
        "9:15",
        "−35:45",
    )
    assert SECRET not in json.dumps(frozen, ensure_ascii=False)
    assert SECRET not in markdown_format.dump(frozen)


def test_a_document_never_practised_has_no_interview_in_its_snapshot(doc, alice):
    assert snapshot.build(doc)["interview"] is None
    services.interviewer_invite(document=doc, user=alice, username="bob")
    assert snapshot.build(doc)["interview"] is None


def test_the_pdf_shows_the_interview_timing(finished):
    text = text_of(pdf.render_pdf(snapshot.build(finished)))
    assert "Interview timing" in text
    assert "9:15 on the clock for a 45:00 plan" in text
    assert "Clarify the problem and requirements" in text
    for value in ["6:10", "+1:10", "3:05", "−0:55"]:
        assert value in text, value
    assert SECRET not in text


def test_download_pdf_with_score_from_the_summary_queues_an_export_with_the_timing(
    client, finished, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = login(client, alice).post(
            f"/documents/{finished.pk}/exports/", {"format": "pdf", "paper": "a4"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert job.snapshot["interview"]["actual"] == "9:15"
    assert SECRET not in json.dumps(job.snapshot, ensure_ascii=False)


def test_the_interviewers_export_has_no_notes_either(finished, bob):
    job = export_request(document=finished, user=bob, format="markdown")
    assert SECRET not in json.dumps(job.snapshot, ensure_ascii=False)
