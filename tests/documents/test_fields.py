"""Structured fields: schema validation with field paths, references, snapshot, completeness."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.documents import fields
from apps.documents.models import Revision
from apps.documents.services import prune_empty, revision_restore, section_save
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema, load_canonical
from tests.factories import make_document

CANONICAL = {
    "metrics": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "maxItems": 50,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                        "kind": {"enum": ["business", "online", "offline", "guardrail"]},
                        "dataset": {"type": "string"},
                    },
                },
            }
        },
    },
    "data": {
        "type": "object",
        "properties": {
            "split": {
                "type": "object",
                "properties": {
                    "splits": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
                    }
                },
            },
            "class_balance": {
                "type": "object",
                "properties": {"positive_rate": {"type": "number", "minimum": 0, "maximum": 1}},
            },
        },
    },
    "serving": {
        "type": "object",
        "properties": {"latency_ms": {"type": "number", "minimum": 0}},
    },
}


@pytest.fixture
def structured_doc(team_a, alice):
    template = DesignTemplate.objects.create(key="fields", version=1, title="F", content_hash="x")
    for position, (key, group, required) in enumerate(
        [
            ("metrics", "metrics", ["metrics.items"]),
            ("data", "data", ["data.split", "data.class_balance.positive_rate"]),
            ("serving", "serving", []),
        ]
    ):
        SectionSpec.objects.create(
            template=template,
            key=key,
            position=position,
            title=key.title(),
            fields={group: "*"},
            required_fields=required,
            field_schema=compose_section_schema({group: "*"}, CANONICAL),
        )
    return make_document(team_a, alice, template=template)


def save(doc, key, data, author):
    section = doc.sections.select_related("spec", "document").get(key=key)
    return section_save(section=section, body_md="", data=data, author=author)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_valid_fields_are_saved_with_a_revision(structured_doc, alice):
    section = save(structured_doc, "serving", {"serving": {"latency_ms": 40}}, alice)
    assert section.data == {"serving": {"latency_ms": 40}}
    assert Revision.objects.get(section=section, version=section.version).data == section.data


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"serving": {"latency_ms": "fast"}}, "serving.latency_ms", "Must be a number."),
        ({"serving": {"latency_ms": -5}}, "serving.latency_ms", "Must be at least 0."),
        ({"serving": {"speed": 1}}, "serving", "Unknown field: speed."),
        ({"nonsense": {"a": 1}}, "data", "Unknown field: nonsense."),
    ],
)
def test_a_wrong_field_names_its_path_and_saves_nothing(structured_doc, alice, data, path, message):
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "serving", data, alice)
    errors = errors_of(excinfo)
    assert path in errors, errors
    assert any(message in m for m in errors[path])
    section = structured_doc.sections.get(key="serving")
    assert section.version == 1 and section.data == {}
    assert not Revision.objects.filter(section=section).exists()


def test_an_enum_value_outside_its_list_is_refused_with_the_choices(structured_doc, alice):
    with pytest.raises(ValidationError) as excinfo:
        save(
            structured_doc, "metrics", {"metrics": {"items": [{"name": "ctr", "kind": "x"}]}}, alice
        )
    assert errors_of(excinfo)["metrics.items.0.kind"] == [
        "Choose one of: business, online, offline, guardrail."
    ]


def test_a_share_of_150_percent_is_refused(structured_doc, alice):
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "data", {"data": {"class_balance": {"positive_rate": 1.5}}}, alice)
    assert errors_of(excinfo)["data.class_balance.positive_rate"] == ["Must be at most 1."]


def test_ten_thousand_rows_are_refused(structured_doc, alice):
    rows = [{"name": f"m{i}", "kind": "online"} for i in range(10_000)]
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "metrics", {"metrics": {"items": rows}}, alice)
    assert "metrics.items" in errors_of(excinfo)


def test_a_payload_over_the_size_limit_is_refused(structured_doc, alice):
    data = {"data": {"split": {"splits": [{"name": "x" * (fields.DATA_MAX_BYTES + 1)}]}}}
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "data", data, alice)
    assert "data" in errors_of(excinfo)


def test_fields_that_are_not_an_object_are_refused(structured_doc, alice):
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "serving", ["x"], alice)
    assert "data" in errors_of(excinfo)


def test_a_metric_dataset_must_be_a_declared_split(structured_doc, alice):
    metric = {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}}
    with pytest.raises(ValidationError) as excinfo:
        save(structured_doc, "metrics", metric, alice)
    assert "metrics.items.0.dataset" in errors_of(excinfo)
    save(structured_doc, "data", {"data": {"split": {"splits": [{"name": "test"}]}}}, alice)
    assert save(structured_doc, "metrics", metric, alice).data == metric


def test_empty_values_are_dropped_before_validation(structured_doc, alice):
    data = {"metrics": {"items": [{"name": "ctr", "kind": "", "dataset": ""}, {"name": " "}]}}
    section = save(structured_doc, "metrics", data, alice)
    assert section.data == {"metrics": {"items": [{"name": "ctr"}]}}


def test_prune_keeps_false_and_zero():
    assert prune_empty({"a": False, "b": 0, "c": "", "d": [None, {}], "e": {"f": " "}}) == {
        "a": False,
        "b": 0,
    }


def test_the_snapshot_merges_sections_in_template_order(structured_doc, alice):
    save(structured_doc, "data", {"data": {"split": {"splits": [{"name": "train"}]}}}, alice)
    save(structured_doc, "serving", {"serving": {"latency_ms": 12}}, alice)
    snapshot = fields.snapshot(structured_doc.sections.order_by("position"))
    assert snapshot == {
        "data": {"split": {"splits": [{"name": "train"}]}},
        "serving": {"latency_ms": 12},
    }


def test_completeness_counts_filled_required_fields(structured_doc, alice):
    section = save(
        structured_doc, "data", {"data": {"split": {"splits": [{"name": "train"}]}}}, alice
    )
    assert fields.completeness(section.spec, section.data) == (1, 2)
    section = save(
        structured_doc,
        "data",
        {"data": {"split": {"splits": [{"name": "t"}]}, "class_balance": {"positive_rate": 0}}},
        alice,
    )
    assert fields.completeness(section.spec, section.data) == (2, 2)


def test_restoring_an_old_revision_is_a_new_save_even_if_a_reference_went_away(
    structured_doc, alice
):
    save(structured_doc, "data", {"data": {"split": {"splits": [{"name": "test"}]}}}, alice)
    metric = {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}}
    old = save(structured_doc, "metrics", metric, alice)
    old_revision = Revision.objects.get(section=old, version=old.version)
    save(structured_doc, "metrics", {"metrics": {"items": []}}, alice)
    save(structured_doc, "data", {"data": {"split": {"splits": [{"name": "holdout"}]}}}, alice)
    restored = revision_restore(revision=old_revision, author=alice)
    assert restored.data == metric
    assert restored.version == old.version + 2


def test_display_blocks_show_fractions_as_percent_and_lists_as_tables():
    canonical = {
        "data": {
            "type": "object",
            "properties": {
                "class_balance": CANONICAL["data"]["properties"]["class_balance"],
                "is_temporal": {"type": "boolean", "title": "Temporal data"},
            },
        },
        "metrics": CANONICAL["metrics"],
    }
    schema = compose_section_schema({"data": "*", "metrics": "*"}, canonical)
    data = {
        "data": {"class_balance": {"positive_rate": 0.012}, "is_temporal": False},
        "metrics": {"items": [{"name": "ctr", "kind": "online"}, {"name": "<b>x</b>"}]},
    }
    blocks = fields.display_blocks(schema, data)
    assert blocks[0] == {
        "kind": "terms",
        "items": [("class_balance › positive_rate", "1.2%"), ("Temporal data", "no")],
    }
    assert blocks[1]["kind"] == "table"
    assert blocks[1]["columns"] == ["name", "kind"]
    assert blocks[1]["rows"] == [["ctr", "online"], ["<b>x</b>", ""]]


def test_display_blocks_open_an_object_field_into_its_parts_and_tables():
    schema = compose_section_schema({"data": ["split"]}, load_canonical())
    splits = [{"name": "train", "share": 0.8}, {"name": "test", "share": 0.2}]
    data = {"data": {"split": {"strategy": "time", "splits": splits, "gap": "P1D"}}}
    terms, table = fields.display_blocks(schema, data)
    assert terms["items"] == [
        ("Train / validation / test split › Strategy", "time"),
        ("Train / validation / test split › Gap", "P1D"),
    ]
    assert table["title"] == "Train / validation / test split › Splits"
    assert table["columns"] == ["Name", "Share"]
    assert table["rows"] == [["train", "80%"], ["test", "20%"]]


def test_the_document_page_shows_fields_escaped(client, structured_doc, alice):
    metric = {"name": "ctr", "kind": "online", "dataset": ""}
    save(structured_doc, "metrics", {"metrics": {"items": [metric]}}, alice)
    data = structured_doc.sections.select_related("spec", "document").get(key="data")
    hostile = {"data": {"split": {"splits": [{"name": "<script>alert(1)</script>"}]}}}
    section_save(section=data, body_md="", author=alice, data=hostile)
    section = structured_doc.sections.select_related("spec", "document").get(key="serving")
    section_save(section=section, body_md="", author=alice,
                 data={"serving": {"latency_ms": 40}})  # fmt: skip
    client.force_login(alice)
    html = client.get(reverse("documents:detail", args=[structured_doc.pk])).content.decode()
    assert "<td>ctr</td>" in html and "<dd>40</dd>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
