"""Presence in a real browser: who else is here, who edits what, and saves you did not see."""

from playwright.sync_api import expect

from apps.documents.services import section_save


def test_readers_see_who_edits_and_are_told_when_a_section_changes(signed_in, alice, eddie, doc):
    reader = signed_in(alice).new_page()
    reader.goto(f"/documents/{doc.pk}/")
    writer = signed_in(eddie).new_page()
    writer.goto(f"/documents/{doc.pk}/sections/s0/edit/")
    expect(writer.locator("#presence .presence__user")).to_have_text(["AL"])

    # The reader's next heartbeat (sent at once when the tab becomes visible again).
    reader.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(reader.locator("#presence .presence__user")).to_have_attribute(
        "aria-label", "eddie is editing s0"
    )
    expect(reader.locator('[data-editing-for="s0"]')).to_have_text("eddie editing")

    section = doc.sections.select_related("spec", "document").get(key="s0")
    section_save(section=section, body_md="Eddie's new text.", author=eddie)
    reader.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    notice = reader.locator('[data-notice-for="s0"]')
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Updated by eddie")
    notice.get_by_role("button", name="Refresh").click()
    expect(reader.locator("#sec-s0 .prose")).to_contain_text("Eddie's new text.")

    # Opening a section someone else is editing shows a notice (no lock).
    second = signed_in(alice).new_page()
    second.goto(f"/documents/{doc.pk}/sections/s0/edit/")
    expect(second.locator('[data-editing-for="s0"]')).to_contain_text("eddie is also editing")
