"""The library in a real browser: find an example, use it as a starting point, change the
draft, and compare it with the example section by section."""

import re

from playwright.sync_api import expect

from apps.documents.models import Document
from apps.library.services import examples_load
from apps.templates_catalog.services import templates_load_all


def test_library_clone_edit_and_compare(signed_in, alice, team_a, screenshot):
    templates_load_all()
    examples_load()
    page = signed_in(alice).new_page()
    page.goto("/library/")
    page.get_by_label("Search").fill("click-through auction")
    page.get_by_role("button", name="Search").click()
    card = page.locator(".example-card")
    expect(card).to_have_count(1)
    screenshot(page, "library-list")
    card.get_by_role("link", name=re.compile("^Read")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("click-through-rate")
    expect(page.locator(".count--error strong")).to_have_text("0")
    screenshot(page, "library-example", full_page=False)

    page.get_by_role("link", name="Use as a starting point").click()
    page.get_by_label("Team").select_option(label=team_a.name)
    page.get_by_label("Title").fill("Our feed ads CTR model")
    page.get_by_role("button", name="Create my draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our feed ads CTR model")
    document = Document.objects.get(title="Our feed ads CTR model")
    assert document.team == team_a

    page.goto(f"/documents/{document.id}/sections/risks/edit/")
    body = page.get_by_label("Markdown")
    body.fill("Our own risk register replaces the example's.")
    page.get_by_role("button", name="Save section").click()
    expect(page).to_have_url(re.compile(rf"/documents/{document.id}/#sec-risks$"))

    page.get_by_role("link", name="Compare with an example").click()
    page.get_by_label("Example").select_option(value="ctr-ads")
    page.get_by_role("button", name="Compare").click()
    row = page.locator("#cmp-risks")
    expect(row.locator(".compare__cell").first).to_contain_text("Our own risk register")
    expect(row.locator(".compare__cell--example")).not_to_contain_text("Our own risk register")
    expect(row.locator(".compare__title")).to_have_text(["Risks & open questions"] * 2)
    expect(row.get_by_text("Same as the example")).to_have_count(0)
    expect(page.locator("#cmp-metrics").get_by_text("Same as the example")).to_be_visible()
    screenshot(page, "library-compare", full_page=False)
