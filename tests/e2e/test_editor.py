"""The section editor in a real browser: the fields table, a conflict merged by hand, drafts."""

import re

import pytest
from playwright.sync_api import expect

from apps.documents.services import section_save
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema
from tests.factories import make_document

CANONICAL = {
    "metrics": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "title": "Metrics",
                "maxItems": 100,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "maxLength": 100, "title": "Name"},
                        "kind": {"enum": ["business", "online", "offline"], "title": "Kind"},
                        "definition": {"type": "string", "maxLength": 5000, "title": "Definition"},
                        "dataset": {"type": "string", "maxLength": 200, "title": "Dataset"},
                    },
                },
            },
            "hierarchy_rationale": {"type": "string", "maxLength": 5000, "title": "Rationale"},
        },
    },
    "data": {
        "type": "object",
        "properties": {
            "split": {
                "type": "object",
                "title": "Split",
                "additionalProperties": False,
                "properties": {
                    "splits": {
                        "type": "array",
                        "title": "Splits",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string", "title": "Name"},
                                "share": {"type": "number", "minimum": 0, "maximum": 1,
                                          "title": "Share"},
                            },
                        },
                    }
                },
            }
        },
    },
}  # fmt: skip


@pytest.fixture
def design(team_a, alice):
    template = DesignTemplate.objects.create(key="e2e", version=1, title="E2E", content_hash="e")
    for position, key in enumerate(["data", "metrics"]):
        SectionSpec.objects.create(
            template=template,
            key=key,
            position=position,
            title=key.title(),
            fields={key: "*"},
            required_fields=[f"{key}.{next(iter(CANONICAL[key]['properties']))}"],
            field_schema=compose_section_schema({key: "*"}, CANONICAL),
        )
    document = make_document(team_a, alice, template=template)
    data = document.sections.select_related("spec", "document").get(key="data")
    splits = [{"name": "train", "share": 0.8}, {"name": "test", "share": 0.2}]
    split = {"data": {"split": {"splits": splits}}}
    section_save(section=data, body_md="", author=alice, data=split)
    return document


DATASET_LABEL = "Metrics \u203a row 1 \u203a Dataset"


def editor_path(document, key="metrics"):
    return f"/documents/{document.id}/sections/{key}/edit/"


def expect_saved(page, document, key="metrics"):
    """On the document page, after its script has taken the ?saved flag (and the draft) away."""
    expect(page).to_have_url(re.compile(rf"/documents/{document.id}/#sec-{key}$"))


def test_a_metric_row_added_in_the_table_is_saved_and_shown_again(
    signed_in, alice, design, screenshot
):
    page = signed_in(alice).new_page()
    page.goto(editor_path(design))
    expect(page.get_by_text("0 of 1 required fields filled")).to_be_visible()
    page.get_by_role("button", name="Add a row to Metrics").click()
    page.get_by_label("Name, row 1").fill("ctr")
    page.get_by_label("Kind, row 1").select_option(label="online")
    # The dataset is picked from the splits the Data section declares.
    dataset = page.get_by_label("Dataset, row 1")
    expect(dataset.locator("option")).to_have_text(["—", "test", "train"])
    dataset.select_option("test")
    expect(page.get_by_text("1 of 1 required fields filled")).to_be_visible()
    page.get_by_role("button", name="Add a row to Metrics").click()
    page.get_by_label("Name, row 2").fill("revenue")
    page.get_by_role("button", name="Move row 2 up").click()
    expect(page.get_by_role("button", name="Move row 1 down")).to_be_focused()
    screenshot(page, "editor-metrics-table")
    page.get_by_role("button", name="Save section").click()
    expect_saved(page, design)

    section = design.sections.get(key="metrics")
    assert section.data == {
        "metrics": {
            "items": [{"name": "revenue"}, {"name": "ctr", "kind": "online", "dataset": "test"}]
        }
    }
    page.goto(editor_path(design))
    expect(page.get_by_label("Name, row 1")).to_have_value("revenue")
    expect(page.get_by_label("Name, row 2")).to_have_value("ctr")
    expect(page.get_by_label("Dataset, row 2")).to_have_value("test")
    # The server has it, so no draft is kept or offered.
    assert page.evaluate("Object.keys(localStorage).length") == 0
    expect(page.locator("#draft-banner")).to_be_hidden()


def test_a_field_error_from_the_server_is_shown_next_to_its_input(signed_in, alice, design):
    page = signed_in(alice).new_page()
    page.goto(editor_path(design))
    page.get_by_role("button", name="Add a row to Metrics").click()
    page.get_by_label("Name, row 1").fill("auc")
    # Bypass the picker: a dataset nobody declared, as an old client might send.
    page.evaluate(
        """() => {
          const area = document.querySelector("textarea[name=data]");
          const form = document.getElementById("section-form");
          form.addEventListener("submit", () => {
            area.value = JSON.stringify({metrics: {items: [{name: "auc", dataset: "nope"}]}});
          });
        }"""
    )
    page.get_by_role("button", name="Save section").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(DATASET_LABEL)
    cell = page.locator('td[data-path="metrics.items.0.dataset"]')
    expect(cell.locator(".ff-errors")).to_contain_text("“nope” is not a declared split")
    expect(page.get_by_label("Dataset, row 1")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name=DATASET_LABEL).click()
    expect(page.get_by_label("Dataset, row 1")).to_be_focused()
    assert design.sections.get(key="metrics").version == 1


def test_two_editors_save_the_same_section_and_the_second_merges_by_hand(
    signed_in, alice, eddie, design, screenshot
):
    alices = signed_in(alice).new_page()
    eddies = signed_in(eddie).new_page()
    alices.goto(editor_path(design))
    eddies.goto(editor_path(design))

    alices.get_by_label("Markdown").fill("Alice: CTR is the online metric.")
    eddies.get_by_label("Markdown").fill("Eddie: revenue per mille is the business metric.")
    alices.get_by_role("button", name="Save section").click()
    expect_saved(alices, design)

    eddies.get_by_role("button", name="Save section").click()
    conflict = eddies.locator("#conflict")
    expect(conflict).to_contain_text("Someone saved this section while you were editing")
    expect(conflict.locator(".diff__removed")).to_contain_text("Alice: CTR is the online metric.")
    expect(conflict.locator(".diff__added")).to_contain_text("Eddie: revenue per mille")
    expect(eddies.get_by_label("Markdown")).to_have_value(
        "Eddie: revenue per mille is the business metric."
    )
    screenshot(eddies, "editor-conflict")

    eddies.get_by_role("button", name="Merge by hand").click()
    body = eddies.get_by_label("Markdown")
    expect(body).to_be_focused()
    expect(body).to_have_value(
        "Alice: CTR is the online metric.\nEddie: revenue per mille is the business metric."
    )
    body.press("End")
    body.type(" (merged)")
    eddies.get_by_role("button", name="Save section", exact=True).click()
    expect_saved(eddies, design)

    section = design.sections.get(key="metrics")
    assert section.version == 3
    assert "Alice: CTR is the online metric." in section.body_md
    assert "Eddie: revenue per mille is the business metric. (merged)" in section.body_md


def test_unsaved_typing_survives_a_closed_tab_and_is_offered_back(signed_in, alice, design):
    context = signed_in(alice)
    page = context.new_page()
    page.goto(editor_path(design))
    page.get_by_label("Markdown").fill("Half a thought about offline metrics")
    page.get_by_label("Rationale").fill("AUC predicts CTR lift.")
    expect(page.locator("#draft-status")).to_have_text("Draft kept in this browser.")
    page.close()

    page = context.new_page()
    page.goto(editor_path(design))
    banner = page.locator("#draft-banner")
    expect(banner).to_be_visible()
    expect(page.get_by_label("Markdown")).to_have_value("")
    banner.get_by_role("button", name="Restore your unsaved draft").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_label("Markdown")).to_have_value("Half a thought about offline metrics")
    expect(page.get_by_label("Rationale")).to_have_value("AUC predicts CTR lift.")
    page.get_by_role("button", name="Save section").click()
    expect_saved(page, design)
    section = design.sections.get(key="metrics")
    assert section.body_md == "Half a thought about offline metrics"
    assert section.data == {"metrics": {"hierarchy_rationale": "AUC predicts CTR lift."}}
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_a_draft_written_on_an_older_version_is_restored_into_the_conflict_view(
    signed_in, alice, eddie, design
):
    context = signed_in(alice)
    page = context.new_page()
    page.goto(editor_path(design))
    page.get_by_label("Markdown").fill("Alice's unsaved idea.")
    expect(page.locator("#draft-status")).to_have_text("Draft kept in this browser.")
    # Leaving with unsaved changes asks first.
    with page.expect_event("dialog") as leaving:
        page.close(run_before_unload=True)
    assert leaving.value.type == "beforeunload"
    with page.expect_event("close"):
        leaving.value.accept()

    # Meanwhile Eddie saves the section.
    section = design.sections.select_related("spec", "document").get(key="metrics")
    section_save(section=section, body_md="Eddie's saved text.", author=eddie)

    page = context.new_page()
    page.goto(editor_path(design))
    banner = page.locator("#draft-banner")
    expect(banner).to_contain_text("It was written on version 1")
    banner.get_by_role("button", name="Restore your unsaved draft").click()
    page.get_by_role("button", name="Save section").click()
    # Saved over its own base version, the draft meets Eddie's text instead of replacing it.
    conflict = page.locator("#conflict")
    expect(conflict.locator(".diff__removed")).to_contain_text("Eddie's saved text.")
    expect(conflict.locator(".diff__added")).to_contain_text("Alice's unsaved idea.")
    assert design.sections.get(key="metrics").body_md == "Eddie's saved text."
