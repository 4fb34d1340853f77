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

APPENDIX_A = Path(__file__).with_name("appendix_a.yaml")
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


def test_the_course_homeworks_follow_the_meeting_plan(loaded):
    sections = SectionSpec.objects.filter(template__key="course_hw").order_by("position")
    assert [s.key for s in sections][-1] == "wrap"
    assert [s.meta["hw"] for s in sections][:7] == [1, 2, 3, 4, 5, 6, 7]


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
