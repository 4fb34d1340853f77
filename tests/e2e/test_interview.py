"""A practice interview in real browsers: the candidate invites an interviewer, starts, moves
on with the keyboard, reloads (the clock continues from the server), the interviewer follows
the same clock with private notes, a block overruns, and the candidate finishes."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from apps.interviews.models import InterviewNote, InterviewSession
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import make_document


def clock_seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_practice_interview_with_an_interviewer(signed_in, screenshot, alice, bob, team_a):
    templates_load_all()
    template = DesignTemplate.objects.get(key="interview_45", is_latest=True)
    doc = make_document(team_a, alice, template=template, title="Feed ads CTR")

    # The document page offers the practice; alice invites bob as her interviewer.
    candidate = signed_in(alice).new_page()
    candidate.goto(f"/documents/{doc.pk}/")
    candidate.get_by_role("link", name="Practice interview").click()
    expect(candidate.locator("li.interview-block")).to_have_count(9)
    candidate.get_by_role("link", name="Invite an interviewer").click()
    candidate.get_by_label("Interviewer").select_option("bob")
    candidate.get_by_role("button", name="Invite").click()
    expect(candidate.locator("[data-interviewer]")).to_have_text("bob")

    # She starts: the first block is current and the clock ticks.
    candidate.get_by_role("button", name="Start the interview").click()
    expect(candidate.locator("[data-status-label]")).to_have_text("Running")
    expect(candidate.locator('li[aria-current="step"]')).to_have_id("block-clarify")
    expect(candidate.locator("[data-total]")).not_to_have_text("0:00", timeout=3000)

    # N moves to the next block (the button works too; the key is for flow).
    candidate.locator("body").press("n")
    expect(candidate.locator('li[aria-current="step"]')).to_have_id("block-metrics")
    expect(candidate.locator("#block-clarify [data-phase]")).to_have_text("Done")
    before_reload = clock_seconds(candidate.locator("[data-total]").inner_text())

    # A reload reads the clock from the server: it goes on, the block is still highlighted.
    candidate.reload()
    expect(candidate.locator('li[aria-current="step"]')).to_have_id("block-metrics")
    after_reload = clock_seconds(candidate.locator("[data-total]").inner_text())
    assert after_reload >= before_reload >= 1
    expect(candidate.locator("[data-current-title]")).to_have_text("Metrics")

    # Bob, the interviewer, sees the same block, the drills and a notes box on each block.
    interviewer = signed_in(bob).new_page()
    interviewer.goto(f"/documents/{doc.pk}/interview/")
    expect(interviewer.locator(".interview-mode")).to_have_text("Interviewer mode")
    expect(interviewer.locator('li[aria-current="step"]')).to_have_id("block-metrics")
    expect(interviewer.locator(".interview-drills li")).to_have_count(9)
    notes = interviewer.locator("#block-clarify form[data-note] textarea")
    notes.fill("Restated the goal; asked about scale first.")
    expect(interviewer.locator("#block-clarify [data-note-status]")).to_contain_text("Saved at")
    assert InterviewNote.objects.get().body == "Restated the goal; asked about scale first."
    expect(candidate.locator("form[data-note]")).to_have_count(0)
    expect(candidate.locator(".interview-drills")).to_have_count(0)

    # The interviewer moves on; the candidate's page follows within a poll or two.
    interviewer.get_by_role("button", name=re.compile("Next block")).click()
    expect(interviewer.locator('li[aria-current="step"]')).to_have_id("block-data")
    expect(candidate.locator('li[aria-current="step"]')).to_have_id("block-data", timeout=10_000)

    # Seven minutes pass on the server: the data block (6 min) overruns and the nudge says so.
    session = InterviewSession.objects.get()
    session.running_since -= timedelta(minutes=7)
    session.save(update_fields=["running_since"])
    nudge = candidate.locator("[data-block-nudge]")
    expect(nudge).to_be_visible(timeout=10_000)
    expect(nudge).to_contain_text("is over its 6:00 budget")
    expect(candidate.locator("[data-nudges]")).to_have_attribute("aria-live", "polite")
    expect(candidate.locator("#block-data [data-over]")).to_be_visible()
    for page in (candidate, interviewer):
        page.evaluate("window.scrollTo(0, 0)")  # the sticky clock sits at the top
    screenshot(candidate, "interview-practice-candidate")
    screenshot(interviewer, "interview-practice-interviewer")

    # She finishes: the summary shows the actual time per block against its budget.
    candidate.once("dialog", lambda dialog: dialog.accept())
    candidate.get_by_role("button", name="Finish").click()
    expect(candidate).to_have_url(re.compile(r"/interview/summary/$"))
    rows = candidate.locator("table.interview-timing tbody tr")
    expect(rows).to_have_count(9)
    expect(rows.nth(2)).to_contain_text("Data, entities and features")
    expect(rows.nth(2).locator("td").nth(3)).to_contain_text("+1:")
    expect(rows.nth(3)).to_contain_text("Not reached")
    expect(candidate.get_by_role("link", name="Score with the rubric")).to_be_visible()
    expect(candidate.get_by_role("button", name="Download PDF with score")).to_be_visible()
    assert "asked about scale first" not in candidate.content()
    screenshot(candidate, "interview-summary")
