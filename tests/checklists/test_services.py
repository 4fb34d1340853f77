"""Findings are stored per content hash when content changes; waivers follow the roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.checklists.models import ChecklistResult, Waiver
from apps.checklists.selectors import annotate_waived, checklist_current, document_waivers
from apps.checklists.services import checklist_refresh, waiver_create, waiver_remove
from apps.documents.selectors import document_sections
from apps.documents.services import document_create, section_save
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all


@pytest.fixture
def design(team_a, alice):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design")
    return document_create(team=team_a, template=template, title="CTR", created_by=alice)


def first(result, severity):
    return next(f for f in result.findings if f["severity"] == severity)


def test_a_result_is_stored_once_per_content(design, django_assert_num_queries):
    result = checklist_refresh(document=design)
    assert result.error_count > 0
    assert {"DOC-01", "PRB-01"} <= {f["rule_id"] for f in result.findings}
    assert len(result.statuses) == 40
    again = checklist_refresh(document=design)
    assert again.pk == result.pk
    assert ChecklistResult.objects.count() == 1


def test_new_content_gets_a_new_result_and_reads_find_it(design, alice):
    old = checklist_refresh(document=design)
    problem = design.sections.select_related("spec", "document").get(key="problem")
    goal = "Increase ad revenue by showing users ads they are more likely to click."
    section_save(section=problem, body_md="", data={"problem": {"business_goal": goal}},
                 author=alice)  # fmt: skip
    new = checklist_refresh(document=design)
    assert new.pk != old.pk
    assert "PRB-01" not in {f["rule_id"] for f in new.findings}
    assert checklist_current(design, document_sections(design)).pk == new.pk


def test_an_author_acknowledges_a_warning_with_a_reason(design, eddie):
    warning = first(checklist_refresh(document=design), "warning")
    reason = "  Known gap;  fixed in v2. "
    waiver = waiver_create(document=design, user=eddie, rule_id=warning["rule_id"],
                           section=warning["section"], reason=reason)  # fmt: skip
    assert (waiver.severity, waiver.reason) == ("warning", "Known gap; fixed in v2.")
    findings = annotate_waived(checklist_refresh(document=design).findings,
                               document_waivers(design))  # fmt: skip
    waived = [f for f in findings if f["waived"]]
    assert [(f["rule_id"], f["section"]) for f in waived] == [
        (warning["rule_id"], warning["section"])
    ]


@pytest.mark.parametrize(("name", "allowed"), [("eddie", False), ("victor", False),
                                               ("bob", True), ("alice", True)])  # fmt: skip
def test_only_reviewers_and_owners_waive_errors(design, cast, name, allowed):
    error = first(checklist_refresh(document=design), "error")
    kwargs = {"document": design, "rule_id": error["rule_id"], "section": error["section"]}
    if allowed:
        waiver_create(user=cast[name], reason="Accepted for the prototype.", **kwargs)
        assert Waiver.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            waiver_create(user=cast[name], reason="Accepted for the prototype.", **kwargs)
        assert not Waiver.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_waiver_needs_a_one_line_reason(design, alice, reason):
    error = first(checklist_refresh(document=design), "error")
    with pytest.raises(ValidationError) as excinfo:
        waiver_create(document=design, user=alice, rule_id=error["rule_id"],
                      section=error["section"], reason=reason)  # fmt: skip
    assert "reason" in excinfo.value.message_dict
    assert not Waiver.objects.exists()


def test_only_a_current_finding_can_be_waived_and_only_once(design, alice):
    with pytest.raises(ValidationError):
        waiver_create(document=design, user=alice, rule_id="ABT-99", section="ab_test",
                      reason="No such finding.")  # fmt: skip
    error = first(checklist_refresh(document=design), "error")
    kwargs = {"document": design, "user": alice, "rule_id": error["rule_id"],
              "section": error["section"], "reason": "Accepted."}  # fmt: skip
    waiver_create(**kwargs)
    with pytest.raises(ValidationError):
        waiver_create(**kwargs)
    assert Waiver.objects.count() == 1


def test_a_waiver_is_withdrawn_by_someone_who_may_grant_it(design, alice, eddie):
    error = first(checklist_refresh(document=design), "error")
    waiver = waiver_create(document=design, user=alice, rule_id=error["rule_id"],
                           section=error["section"], reason="Accepted.")  # fmt: skip
    with pytest.raises(PermissionDenied):
        waiver_remove(waiver=waiver, user=eddie)
    waiver_remove(waiver=waiver, user=alice)
    assert not Waiver.objects.exists()


def test_saving_the_ab_plan_stores_the_computed_sample_size_and_days(design, alice):
    metrics = design.sections.select_related("spec", "document").get(key="metrics")
    churn = {"name": "churn", "kind": "online", "definition": "Cancelled / active",
             "direction": "decrease"}  # fmt: skip
    section_save(section=metrics, body_md="", author=alice,
                 data={"metrics": {"items": [churn]}})  # fmt: skip
    plan = {"status": "planned", "primary_metric": "churn", "metric_type": "proportion",
            "baseline_rate": 0.05, "mde": {"value": 0.1, "type": "relative"}, "alpha": 0.05,
            "power": 0.8, "allocation": {"control": 0.5, "treatment": 0.5},
            "daily_eligible_units": 10000,
            "sample_size": {"control": 1, "treatment": 1}}  # fmt: skip
    ab_test = design.sections.select_related("spec", "document").get(key="ab_test")
    saved = section_save(section=ab_test, body_md="", author=alice, data={"ab_test": plan})
    # The primary metric decreases: 28,406 per arm (content spec §4.7), not what was typed.
    assert saved.data["ab_test"]["sample_size"] == {"control": 28406, "treatment": 28406}
    assert saved.data["ab_test"]["computed_days"] == 6
    incomplete = {k: v for k, v in plan.items() if k != "alpha"}
    saved = section_save(section=ab_test, body_md="", author=alice, data={"ab_test": incomplete})
    assert "sample_size" not in saved.data["ab_test"]
