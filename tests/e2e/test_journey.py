"""The whole product in one real browser journey, as a new team meets it: sign up, create a
team, add a member, start a document from a template, fill its metrics and A/B plan, read the
checklist, start from a worked example instead, survive a conflict between two tabs without
losing a word, request review, comment and resolve, approve, sign off, export the signed-off
PDF and download it, and practise an interview on the clock."""

import re

import pytest
from playwright.sync_api import expect

from apps.documents.models import Document
from apps.exports import services as exports
from apps.exports.models import ExportJob
from apps.library.services import examples_load
from apps.reviews.models import SignedVersion
from apps.templates_catalog.services import templates_load_all
from tests.e2e.conftest import field, fill_ab_plan
from tests.factories import PASSWORD


@pytest.fixture
def queued_exports(settings, tmp_path, monkeypatch):
    """Export jobs wait for the test to render them (the worker itself is proven in
    tests/exports/test_worker.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)


def saved(page, document, key):
    expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/#sec-{key}$"))


def test_a_new_team_from_sign_up_to_a_signed_off_pdf(
    browser, live_server, signed_in, screenshot, bob, queued_exports
):
    templates_load_all()
    examples_load()

    # Nina signs up and creates her team; she adds bob as its reviewer.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    nina = context.new_page()
    nina.goto("/accounts/signup/")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Email").fill("nina@example.com")
    nina.get_by_label("Password", exact=True).fill(PASSWORD)
    nina.get_by_label("Password confirmation").fill(PASSWORD)
    nina.get_by_role("button", name="Sign up").click()
    expect(nina.locator(".messages")).to_contain_text("Welcome, nina!")
    nina.goto("/accounts/teams/")
    nina.get_by_label("Team name").fill("Growth ML")
    nina.get_by_role("button", name="Create team").click()
    expect(nina.get_by_role("heading", level=1)).to_have_text("Growth ML")
    nina.get_by_label("Username or email").fill("bob")
    nina.get_by_label("Role", exact=True).select_option("reviewer")
    nina.get_by_role("button", name="Add member").click()
    expect(nina.locator("table")).to_contain_text("bob")
    screenshot(nina, "journey-team")

    # She starts a design doc from the template and writes its metrics and A/B plan.
    nina.goto("/documents/new/")
    nina.get_by_label("Template").select_option("ml_system_design")
    nina.get_by_label("Title").fill("Checkout conversion")
    nina.get_by_role("button", name="Create document").click()
    expect(nina.get_by_role("heading", level=1)).to_have_text("Checkout conversion")
    draft = Document.objects.get(title="Checkout conversion")

    nina.goto(f"/documents/{draft.pk}/sections/metrics/edit/")
    nina.get_by_role("button", name="Add a row to Metrics").click()
    nina.get_by_label("Name, row 1").fill("checkout_conversion")
    nina.get_by_label("Kind, row 1").select_option(label="online")
    nina.get_by_label("Definition, row 1").fill("Orders / checkout sessions, per user")
    nina.get_by_label("Direction, row 1").select_option(label="increase")
    nina.get_by_role("button", name="Save section").click()
    saved(nina, draft, "metrics")

    nina.goto(f"/documents/{draft.pk}/sections/ab_test/edit/")

    field(nina, "ab_test.primary_metric").select_option("checkout_conversion")
    fill_ab_plan(nina)
    expect(nina.locator('#ab-designer [data-ab="n_control"]')).to_have_text("31,231")
    screenshot(nina, "journey-ab-plan")
    nina.get_by_role("button", name="Save section").click()
    saved(nina, draft, "ab_test")
    plan = draft.sections.get(key="ab_test").data["ab_test"]
    assert plan["sample_size"] == {"control": 31231, "treatment": 31231}

    # The checklist says what is still missing, section by section.
    nina.goto(f"/documents/{draft.pk}/checklist/")
    expect(nina.locator(".finding").first).to_be_visible()
    expect(nina.locator(".findings")).to_contain_text("DOC-01")
    screenshot(nina, "journey-checklist", full_page=False)

    # A complete design to sign off: she starts from the CTR worked example instead.
    nina.goto("/library/ctr-ads/")
    nina.get_by_role("link", name="Use as a starting point").click()
    nina.get_by_label("Team").select_option(label="Growth ML")
    nina.get_by_label("Title").fill("Feed ads CTR")
    nina.get_by_role("button", name="Create my draft").click()
    expect(nina.get_by_role("heading", level=1)).to_have_text("Feed ads CTR")
    document = Document.objects.get(title="Feed ads CTR")

    # Two tabs edit the same section; the second save is a conflict merged by hand.
    other_tab = context.new_page()
    editor = f"/documents/{document.pk}/sections/risks/edit/"
    nina.goto(editor)
    other_tab.goto(editor)
    first = "Legal signs off the consent flow before launch."
    second = "Pacing may shift when pCTR moves; watch spend per hour."
    nina.get_by_label("Markdown").fill(first)
    other_tab.get_by_label("Markdown").fill(second)
    nina.get_by_role("button", name="Save section").click()
    saved(nina, document, "risks")
    other_tab.get_by_role("button", name="Save section").click()
    expect(other_tab.locator("#conflict")).to_contain_text("Someone saved this section")
    screenshot(other_tab, "journey-conflict")
    other_tab.get_by_role("button", name="Merge by hand").click()
    other_tab.get_by_role("button", name="Save section", exact=True).click()
    saved(other_tab, document, "risks")
    other_tab.close()
    body = document.sections.get(key="risks").body_md
    assert first in body and second in body

    # She asks bob for a review; he raises a blocking concern, she answers, he resolves it.
    nina.goto(f"/documents/{document.pk}/")
    nina.get_by_role("link", name="Request review").click()
    nina.get_by_label("bob · Reviewer").check()
    nina.get_by_role("button", name="Request review").click()
    expect(nina.locator("#review .reviewer")).to_contain_text("Waiting for review")

    reviewer = signed_in(bob).new_page()
    reviewer.goto(f"/documents/{document.pk}/")
    box = reviewer.locator('[data-thread-new="risks"]')
    box.locator("summary").click()
    box.get_by_label("Type").select_option("blocking")
    box.get_by_label("Comment").fill("Who owns the consent flow sign-off?")
    box.get_by_role("button", name="Comment").click()
    expect(reviewer.locator("#review")).to_contain_text("1 blocking concern is open.")

    nina.reload()
    concern = nina.locator(".thread--blocking")
    concern.locator("textarea[name=body]").fill("Legal, by the date in the rollout plan.")
    concern.get_by_role("button", name="Reply").click()
    expect(nina.locator(".thread--blocking .comment")).to_have_count(2)

    reviewer.reload()
    reviewer.locator(".thread--blocking").get_by_role("button", name="Resolve").click()
    expect(reviewer.locator(".thread--resolved")).to_have_count(1)
    reviewer.locator("#review").get_by_label("Approve").check()
    reviewer.get_by_role("button", name="Submit review").click()
    expect(reviewer.locator("#review")).to_contain_text("Signed off")
    screenshot(reviewer, "journey-signed-off", full_page=False)
    version = SignedVersion.objects.get(document=document)

    # She exports the signed-off version as a PDF and downloads it.
    nina.goto(f"/documents/{document.pk}/versions/")
    nina.get_by_text("Export", exact=True).click()
    nina.get_by_role("button", name="PDF (A4)").click()
    status = nina.locator("#export-job [data-status]")
    expect(status).to_have_text("Waiting for a worker…")
    exports.export_render(job_id=ExportJob.objects.get(version=version, format="pdf").pk)
    expect(status).to_have_text("Ready.")
    link = nina.get_by_role("link", name=re.compile(r"^Download .*\.pdf$"))
    with nina.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    screenshot(nina, "journey-export")

    # Interview practice: a 45-minute mock on the clock.
    nina.goto("/documents/new/")
    nina.get_by_label("Template").select_option("interview_45")
    nina.get_by_label("Title").fill("Mock: feed ranking")
    nina.get_by_role("button", name="Create document").click()
    nina.get_by_role("link", name="Practice interview").click()
    nina.get_by_role("button", name="Start the interview").click()
    expect(nina.locator("[data-status-label]")).to_have_text("Running")
    expect(nina.locator('li[aria-current="step"]')).to_have_id("block-clarify")
    expect(nina.locator("[data-total]")).not_to_have_text("0:00", timeout=3000)
    screenshot(nina, "journey-interview", full_page=False)
    context.close()
