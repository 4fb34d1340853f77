"""The A/B designer in a real browser: numbers and formula appear as the plan is typed."""

from playwright.sync_api import expect

from apps.documents.services import document_create
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.e2e.conftest import field, fill_ab_plan


def test_the_ab_plan_shows_its_sample_size_live_and_stores_it(signed_in, alice, team_a):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design")
    document = document_create(team=team_a, template=template, title="CTR", created_by=alice)
    page = signed_in(alice).new_page()
    page.goto(f"/documents/{document.pk}/sections/ab_test/edit/")
    designer = page.locator("#ab-designer")
    expect(designer).to_contain_text("Fill in the metric type")

    fill_ab_plan(page)
    expect(designer.locator('[data-ab="n_control"]')).to_have_text("31,231")
    expect(designer.locator('[data-ab="computed_days"]')).to_have_text("7")
    expect(designer.locator("#ab-designer-formula")).to_contain_text("31,230.69")

    field(page, "ab_test.power").fill("100")
    expect(designer.locator(".ab-error")).to_contain_text("power")
    expect(designer.locator("#ab-designer-numbers")).to_be_hidden()
    field(page, "ab_test.power").fill("80")
    expect(designer.locator('[data-ab="n_control"]')).to_have_text("31,231")

    page.get_by_role("button", name="Save section").click()
    page.wait_for_url(f"**/documents/{document.pk}/**")
    plan = document.sections.get(key="ab_test").data["ab_test"]
    assert plan["sample_size"] == {"control": 31231, "treatment": 31231}
    assert plan["computed_days"] == 7
