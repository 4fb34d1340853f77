"""Review in a real browser: request a review, comment on a passage, resolve, approve, sign off."""

from playwright.sync_api import expect

from apps.documents.models import Document
from apps.documents.services import section_save
from apps.reviews.models import SignedVersion


def test_a_review_from_request_to_sign_off(signed_in, screenshot, alice, bob, doc):
    for other in doc.sections.select_related("spec", "document").exclude(key="s0"):
        section_save(section=other, body_md=f"What {other.key} says.", author=alice)
    section = doc.sections.select_related("spec", "document").get(key="s0")
    section_save(
        section=section, body_md="We rank feed ads by predicted click-through rate.", author=alice
    )

    # Alice asks bob to review the whole document.
    author = signed_in(alice).new_page()
    author.goto(f"/documents/{doc.pk}/")
    expect(author.locator("#review")).to_contain_text("Nobody has been asked to review yet.")
    author.get_by_role("link", name="Request review").click()
    author.get_by_label("bob · Reviewer").check()
    author.get_by_role("button", name="Request review").click()
    expect(author.locator("#review .reviewer")).to_contain_text("Waiting for review")
    expect(author.locator("#review .badge").first).to_have_text("In review")

    # Bob finds it on his dashboard and opens it.
    reviewer = signed_in(bob).new_page()
    reviewer.goto("/documents/")
    awaiting = reviewer.locator(".awaiting")
    expect(awaiting).to_contain_text("CTR prediction")
    awaiting.get_by_role("link", name="CTR prediction").click()

    # He selects a passage and raises a blocking concern about it.
    prose = reviewer.locator("#sec-s0 .prose p")
    prose.evaluate(
        """(p) => {
            const text = p.firstChild;
            const start = text.textContent.indexOf("click-through rate");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + "click-through rate".length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    reviewer.get_by_role("button", name="Comment on selection").click()
    box = reviewer.locator('[data-thread-new="s0"]')
    expect(box.get_by_label("Quoted passage")).to_have_value("click-through rate")
    box.get_by_label("Type").select_option("blocking")
    box.get_by_label("Comment").fill("Which **CTR**: per impression or per view? @alice")
    box.get_by_role("button", name="Comment").click()
    thread = reviewer.locator(".thread--blocking")
    expect(thread).to_contain_text("per impression or per view?")
    expect(thread.locator(".thread__quote")).to_have_text("click-through rate")
    expect(reviewer.locator("#review")).to_contain_text("1 blocking concern is open.")

    # Alice is notified of the mention and replies.
    author.goto("/documents/")
    expect(author.locator("a.bell .bell__count")).to_have_text("1")
    author.locator("a.bell").click()
    expect(author.locator(".notification--unread")).to_contain_text("bob mentioned you")
    author.locator(".notification--unread a").click()
    expect(author.locator(".thread--blocking")).to_be_visible()
    author.locator(".thread--blocking textarea[name=body]").fill("Per impression; see Metrics.")
    author.locator(".thread--blocking").get_by_role("button", name="Reply").click()
    expect(author.locator(".thread--blocking .comment")).to_have_count(2)

    # Bob resolves his concern and approves.
    reviewer.reload()
    reviewer.locator(".thread--blocking").get_by_role("button", name="Resolve").click()
    expect(reviewer.locator(".thread--resolved")).to_have_count(1)
    screenshot(reviewer, "review-before-approval")
    reviewer.locator("#review").get_by_label("Approve").check()
    reviewer.locator("#review").get_by_label("Note").fill("Clear and complete.")
    reviewer.get_by_role("button", name="Submit review").click()
    expect(reviewer.locator("#review")).to_contain_text("Signed off")
    expect(reviewer.locator("#review .reviewer")).to_contain_text("Approved")
    screenshot(reviewer, "review-signed-off")

    assert Document.objects.get(pk=doc.pk).status == "signed_off"
    version = SignedVersion.objects.get(document=doc)
    author.goto(f"/documents/{doc.pk}/versions/{version.number}/")
    expect(author.locator("h1")).to_have_text("CTR prediction")
    expect(author.locator(".prose").first).to_contain_text("click-through rate")

    # An edit of a covered section makes bob's approval stale at once, and visibly.
    section_save(section=section, body_md="We rank feed ads by predicted CTR.", author=alice)
    author.goto(f"/documents/{doc.pk}/")
    expect(author.locator("#review .reviewer")).to_contain_text("Approval out of date")
    expect(author.locator(".thread--resolved")).to_contain_text("Outdated")
    author.goto(f"/documents/{doc.pk}/review/audit/")
    expect(author.locator(".audit tbody tr")).to_have_count(8)
    screenshot(author, "review-audit")
