"""The design-template fixtures load, are idempotent, versioned, and their schemas are sound."""

import io
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from jsonschema import Draft202012Validator

from apps.documents.services import document_create
from apps.templates_catalog import services
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from tests.factories import make_team, make_user

APPENDIX_A = Path(__file__).parent.parent / "checklists" / "appendix_a.yaml"
RULES_FILE = services.settings.BASE_DIR / "fixtures" / "checklists" / "rules.yaml"
GROUPS = [
    "problem", "requirements", "metrics", "entities", "data", "baseline",
    "model", "serving", "monitoring", "ab_test", "risks",
]  # fmt: skip


@pytest.fixture
def loaded(db):
    return services.templates_load_all()


def spec_of(template_key: str, section_key: str) -> SectionSpec:
    return SectionSpec.objects.get(
        template__key=template_key, template__is_latest=True, key=section_key
    )


def test_every_template_fixture_loads(loaded):
    assert {r.key for r in loaded} == {"ml_system_design", "interview_45", "course_hw"}
    assert all(r.created for r in loaded)
    gallery = list(DesignTemplate.objects.latest_versions().values_list("key", flat=True))
    assert gallery == ["ml_system_design", "interview_45", "course_hw"]


def test_every_section_schema_is_valid_json_schema(loaded):
    specs = SectionSpec.objects.all()
    assert specs.count() == 12 + 9 + 8
    for spec in specs:
        Draft202012Validator.check_schema(spec.field_schema)


def test_loading_twice_changes_nothing(loaded):
    counts = (DesignTemplate.objects.count(), SectionSpec.objects.count())
    again = services.templates_load_all()
    assert not any(r.created for r in again)
    assert (DesignTemplate.objects.count(), SectionSpec.objects.count()) == counts


def test_the_command_prints_one_line_per_template_and_is_idempotent(db):
    out = io.StringIO()
    call_command("load_templates", stdout=out)
    call_command("load_templates", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "template course_hw v1: loaded",
        "template interview_45 v1: loaded",
        "template ml_system_design v1: loaded",
    ]
    assert all(line.endswith("unchanged") for line in lines[3:]) and len(lines) == 6


def copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(services.TEMPLATES_DIR, target)
    return target


def test_a_changed_file_that_kept_its_version_is_refused(loaded, tmp_path):
    directory = copy_fixtures(tmp_path)
    path = directory / "interview_45.yaml"
    path.write_text(path.read_text().replace("Wrap-up", "Closing"))
    with pytest.raises(ValidationError, match="bump its version"):
        services.templates_load_all(directory)
    assert spec_of("interview_45", "wrap_up").title == "Wrap-up"


def test_a_changed_canonical_field_model_is_refused_while_the_templates_keep_their_versions(
    loaded, tmp_path, monkeypatch
):
    changed = tmp_path / "canonical_fields.yaml"
    changed.write_text(
        services.CANONICAL_FILE.read_text().replace("maxLength: 5000", "maxLength: 9000")
    )
    real_load_canonical = services.load_canonical
    monkeypatch.setattr(services, "load_canonical", lambda path=changed: real_load_canonical(path))
    with pytest.raises(ValidationError, match="bump its version"):
        services.templates_load_all()
    assert DesignTemplate.objects.count() == 3


def test_a_new_version_is_added_and_documents_keep_theirs(loaded, tmp_path):
    alice = make_user("alice")
    team = make_team("Ads", {alice: "owner"})
    old = DesignTemplate.objects.get(key="interview_45", version=1)
    doc = document_create(team=team, template=old, title="Mock", created_by=alice)

    directory = copy_fixtures(tmp_path)
    path = directory / "interview_45.yaml"
    path.write_text(
        path.read_text().replace("version: 1", "version: 2").replace("Wrap-up", "Closing")
    )
    results = services.templates_load_all(directory)
    assert [r.created for r in results if r.key == "interview_45"] == [True]

    old.refresh_from_db()
    new = DesignTemplate.objects.get(key="interview_45", version=2)
    assert not old.is_latest and new.is_latest
    doc.refresh_from_db()
    assert doc.template == old
    assert doc.sections.get(key="wrap_up").spec.title == "Wrap-up"
    assert new.sections.get(key="wrap_up").title == "Closing"


def test_a_required_field_outside_the_section_fields_is_refused(tmp_path):
    canonical = services.load_canonical()
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "key": "bad",
                "version": 1,
                "title": "Bad",
                "sections": [
                    {
                        "key": "s",
                        "title": "S",
                        "fields": {"problem": ["summary"]},
                        "required_fields": ["problem.business_goal"],
                    }
                ],
            }
        )
    )
    with pytest.raises(ValidationError, match="business_goal"):
        services.parse_template(path, canonical)


def test_an_unknown_canonical_field_is_refused():
    with pytest.raises(ValidationError, match="no field"):
        services.compose_section_schema({"metrics": ["nonsense"]}, services.load_canonical())


def test_ml_system_design_has_the_eleven_sections_in_spec_order_then_the_appendix(loaded):
    template = DesignTemplate.objects.get(key="ml_system_design")
    keys = list(template.sections.order_by("position").values_list("key", flat=True))
    assert keys == [*GROUPS, "appendix"]
    assert template.sections.get(key="appendix").required is False
    assert (
        template.sections.get(key="baseline").position < template.sections.get(key="model").position
    )


def schema_at(section_schema: dict, path: str) -> dict | None:
    """The schema of a dotted path (`data.split.strategy`) inside a section schema."""
    node = section_schema
    for part in path.split("."):
        node = (node.get("properties") or {}).get(part)
        if node is None:
            return None
    return node


def test_every_required_field_names_a_field_of_its_section_schema(loaded):
    for spec in SectionSpec.objects.select_related("template"):
        for path in spec.required_fields:
            assert schema_at(spec.field_schema, path), f"{spec}: {path}"


def test_every_section_has_a_purpose_and_guiding_questions(loaded):
    for spec in SectionSpec.objects.all():
        assert spec.purpose.strip(), spec
        assert spec.guiding_questions, spec


def test_the_interview_blocks_sum_to_45_minutes(loaded):
    blocks = SectionSpec.objects.filter(template__key="interview_45").order_by("position")
    assert [b.key for b in blocks] == [
        "clarify", "metrics", "data", "baseline", "model",
        "serving", "ab_test", "monitoring", "wrap_up",
    ]  # fmt: skip
    assert sum(b.meta["time_budget_min"] for b in blocks) == 45
    assert DesignTemplate.objects.get(key="interview_45").meta["total_minutes"] == 45


def test_each_interview_block_starts_when_the_previous_one_ends(loaded):
    blocks = SectionSpec.objects.filter(template__key="interview_45").order_by("position")
    elapsed = 0
    for block in blocks:
        assert block.meta["starts_at"] == f"0:{elapsed:02d}", block.key
        elapsed += block.meta["time_budget_min"]


def test_the_interview_requires_the_fields_the_spec_sets_in_bold(loaded):
    required = {
        spec.key: spec.required_fields
        for spec in SectionSpec.objects.filter(template__key="interview_45")
    }
    assert "data.split.strategy" in required["data"]
    assert {"monitoring.retraining.cadence", "monitoring.retraining.triggers"} <= set(
        required["monitoring"]
    )
    assert required["wrap_up"] == []
    assert DesignTemplate.objects.get(key="interview_45").meta["follow_up_drills"]


def test_the_course_homeworks_follow_the_meeting_plan(loaded):
    sections = SectionSpec.objects.filter(template__key="course_hw").order_by("position")
    assert [s.key for s in sections][-1] == "wrap"
    assert [s.meta["hw"] for s in sections][:7] == [1, 2, 3, 4, 5, 6, 7]
    dates = [s.meta["meeting_date"] for s in sections][:7]
    assert dates == sorted(dates) and dates[0] == "2024-11-20" and dates[-1] == "2024-12-18"
    assert all(s.meta["deliverable"].strip() for s in sections)
    assert sections.get(key="wrap").fields == {"problem": ["summary"]}


def test_the_rules_each_homework_activates_agree_with_the_checklist_configuration(loaded):
    rules = yaml.safe_load(RULES_FILE.read_text())
    activation = rules["templates"]["course_hw"]["hw_activation"]
    for section in SectionSpec.objects.filter(template__key="course_hw", meta__hw__isnull=False):
        hw, listed = section.meta["hw"], set(section.meta["rules_activated"])
        first_run_here = {rule for rule, first in activation.items() if first == hw}
        assert first_run_here <= listed, section.key
        assert all(activation[rule] <= hw for rule in listed), section.key


@pytest.mark.parametrize(
    ("group", "path", "values"),
    [
        ("metrics", ["items", "items", "properties", "kind", "enum"],
         ["business", "online", "offline", "guardrail"]),
        ("data", ["split", "properties", "strategy", "enum"],
         ["random", "stratified", "group", "time", "rolling_time", "time_group"]),
        ("serving", ["mode", "enum"], ["batch", "online", "streaming"]),
        ("entities", ["features", "items", "properties", "freshness", "enum"],
         ["static", "daily_batch", "hourly_batch", "streaming", "request_time"]),
        ("ab_test", ["method", "enum"], ["unpooled", "pooled", "arcsine"]),
        ("baseline", ["baselines", "items", "properties", "stage", "enum"],
         ["heuristic", "simple_model", "model_complication", "complex_model"]),
    ],
)  # fmt: skip
def test_the_canonical_enums_are_those_of_the_spec(group, path, values):
    node = services.load_canonical()[group]["properties"]
    for part in path:
        node = node[part]
    assert node == values


def walk(node: dict, path: str = ""):
    """Every (path, schema) below `node`, depth first."""
    yield path, node
    for name, child in (node.get("properties") or {}).items():
        yield from walk(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], f"{path}[]")


def test_the_canonical_model_holds_type_facts_with_bounded_sizes():
    canonical = services.load_canonical()
    assert list(canonical) == GROUPS
    for group, schema in canonical.items():
        for path, node in walk(schema, group):
            assert "required" not in node, path
            kind = node.get("type")
            if kind == "object" and path != group:
                assert node.get("additionalProperties") is False, path
            if kind == "array":
                assert node.get("maxItems"), path
            if kind == "string":
                assert node.get("maxLength") or node.get("pattern", "").endswith("$"), path
            if path != group and not path.endswith("[]"):
                assert node.get("title"), path


def test_the_values_the_app_computes_are_read_only():
    ab_test = services.load_canonical()["ab_test"]["properties"]
    assert ab_test["sample_size"]["readOnly"] is True
    assert ab_test["computed_days"]["readOnly"] is True
    assert not ab_test["duration_days"].get("readOnly")


def test_the_worked_example_fits_the_full_template_schemas(loaded):
    example = yaml.safe_load(APPENDIX_A.read_text())
    for group in GROUPS:
        schema = spec_of("ml_system_design", group).field_schema
        errors = list(Draft202012Validator(schema).iter_errors({group: example[group]}))
        assert not errors, [
            f"{group}.{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
        ]


def valid(schema, data) -> bool:
    return Draft202012Validator(schema).is_valid(data)


SAMPLE = {
    "problem": {"business_goal": "More paid orders from search", "goals": ["+1% orders"]},
    "requirements": {
        "functional": ["rank results"],
        "latency_budget_ms": {"p99": 120},
        "throughput_qps": {"avg": 800, "peak": 2500},
        "privacy": {"contains_personal_data": True, "regulations": ["GDPR"]},
    },
    "metrics": {
        "items": [
            {
                "name": "orders_per_user",
                "kind": "business",
                "direction": "increase",
                "target": {"op": ">=", "value": 0.01, "type": "relative_change"},
            },
            {"name": "ndcg_at_10", "kind": "offline", "direction": "increase", "dataset": "test"},
        ]
    },
    "entities": {"features": [{"name": "query_len", "entity": "context", "type": "numeric"}]},
    "data": {
        "is_temporal": True,
        "class_balance": {"positive_rate": 0.02},
        "split": {"strategy": "time", "splits": [{"name": "test", "start": "2025-03-01"}]},
    },
    "baseline": {"baselines": [{"name": "Top sellers", "stage": "heuristic"}]},
    "model": {"task_type": "ranking", "candidates": [{"name": "LambdaMART", "chosen": True}]},
    "serving": {"mode": "online", "rollout": {"stages": [{"type": "canary", "traffic": 0.05}]}},
    "monitoring": {"retraining": {"cadence": "daily", "triggers": ["scheduled", "drift"]}},
    "ab_test": {
        "status": "planned",
        "metric_type": "proportion",
        "baseline_rate": 0.031,
        "mde": {"value": 0.02, "type": "relative"},
        "alpha": 0.05,
        "power": 0.8,
        "sides": 2,
        "allocation": {"control": 0.5, "treatment": 0.5},
        "sample_size": {"control": 120000, "treatment": 120000},
        "computed_days": 6,
        "duration_days": 14,
    },
    "risks": {"items": [{"risk": "Feedback loop", "likelihood": "high", "impact": "medium"}]},
}


@pytest.mark.parametrize("group", GROUPS)
def test_a_sample_payload_of_each_group_fits_its_section(loaded, group):
    schema = spec_of("ml_system_design", group).field_schema
    errors = [e.message for e in Draft202012Validator(schema).iter_errors({group: SAMPLE[group]})]
    assert not errors


@pytest.mark.parametrize(
    "data",
    [
        {"metrics": {"items": [{"name": "ctr", "kind": "revenue"}]}},
        {"metrics": {"items": [{"name": "Not Snake"}]}},
        {"metrics": {"items": [{"name": f"m{i}"} for i in range(10_000)]}},
        {"metrics": {"unknown": 1}},
        {"data": {}},
    ],
)
def test_bad_metric_payloads_are_refused(loaded, data):
    assert not valid(spec_of("ml_system_design", "metrics").field_schema, data)


@pytest.mark.parametrize(
    ("section", "data"),
    [
        ("data", {"data": {"class_balance": {"positive_rate": 1.5}}}),
        ("ab_test", {"ab_test": {"allocation": {"control": 0.5, "treatment": 1.5}}}),
        ("requirements", {"requirements": {"latency_budget_ms": {"p99": -5}}}),
        ("requirements", {"requirements": {"latency_budget_ms": {"p999": 5}}}),
        ("serving", {"serving": {"mode": "realtime"}}),
        ("data", {"data": {"split": {"strategy": "chronological"}}}),
        ("ab_test", {"ab_test": {"mde": {"value": 0, "type": "relative"}}}),
        ("ab_test", {"ab_test": {"variance_inflation_factor": 0.5}}),
        ("ab_test", {"ab_test": {"computed_days": 1.5}}),
        ("monitoring", {"monitoring": {"retraining": {"triggers": ["drift", "drift"]}}}),
        ("problem", {"problem": {"summary": "x" * 5001}}),
        ("serving", {"serving": {"latency_breakdown": [{"stage": "x", "p99_ms": -1}]}}),
        ("ab_test", {"ab_test": {"sides": 3}}),
        ("ab_test", {"ab_test": {"alpha": 2}}),
        ("requirements", {"requirements": {"privacy": {"contains_personal_data": "yes"}}}),
    ],
)
def test_out_of_range_values_are_refused(loaded, section, data):
    assert not valid(spec_of("ml_system_design", section).field_schema, data)


def test_an_interview_block_accepts_only_its_fields(loaded):
    schema = spec_of("interview_45", "clarify").field_schema
    assert valid(schema, {"problem": {"business_goal": "x"}, "serving": {"mode": "online"}})
    assert not valid(schema, {"problem": {"summary": "not in this block"}})
    assert not valid(schema, {"metrics": {"items": []}})


def test_a_typo_in_a_deep_required_path_is_refused(tmp_path):
    canonical = services.load_canonical()
    path = tmp_path / "typo.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "key": "typo",
                "version": 1,
                "title": "Typo",
                "sections": [
                    {
                        "key": "s",
                        "title": "S",
                        "fields": {"data": ["split"]},
                        "required_fields": ["data.split.stratgy"],
                    }
                ],
            }
        )
    )
    with pytest.raises(ValidationError, match="stratgy"):
        services.parse_template(path, canonical)
