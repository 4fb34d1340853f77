"""The section editor page with structured fields: save, field errors, pickers, conflicts.

The schemas are composed here from a small canonical model, as the loader composes the real
ones, so these tests do not depend on the fixture files.
"""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents.fields import DATA_MAX_BYTES
from apps.documents.forms import DATA_TEXT_MAX_CHARS
from apps.documents.models import Revision
from apps.documents.services import document_create, section_save
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema, templates_load_all
from tests.factories import make_document

FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
NAME = {"type": "string", "maxLength": 100, "pattern": "^[a-z][a-z0-9_]*$"}

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
                        "name": {**NAME, "title": "Name"},
                        "kind": {"enum": ["business", "online", "offline", "guardrail"],
                                 "title": "Kind"},
                        "dataset": {"type": "string", "maxLength": 200, "title": "Dataset"},
                    },
                },
            },
            "hierarchy_rationale": {"type": "string", "title": "How the metrics connect"},
        },
    },
    "data": {
        "type": "object",
        "properties": {
            "class_balance": {
                "type": "object",
                "title": "Class balance",
                "additionalProperties": False,
                "properties": {"positive_rate": {**FRACTION, "title": "Positive rate"}},
            },
            "split": {
                "type": "object",
                "title": "Split",
                "additionalProperties": False,
                "properties": {
                    "strategy": {"enum": ["random", "time"], "title": "Strategy"},
                    "splits": {
                        "type": "array",
                        "title": "Splits",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "name": {**NAME, "title": "Name"},
                                "share": {**FRACTION, "title": "Share"},
                            },
                        },
                    },
                },
            },
        },
    },
    "serving": {
        "type": "object",
        "properties": {
            "mode": {"enum": ["batch", "online", "streaming"], "title": "Serving mode"},
            "rollback": {"type": "string", "maxLength": 5000, "title": "Rollback"},
            "latency_breakdown": {
                "type": "array",
                "title": "Latency breakdown",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "stage": {"type": "string", "title": "Stage"},
                        "p99_ms": {"type": "number", "minimum": 0, "title": "p99 (ms)"},
                    },
                },
            },
        },
    },
    "ab_test": {
        "type": "object",
        "properties": {
            "primary_metric": {"type": "string", "maxLength": 200, "title": "Primary metric"},
            "alpha": {**FRACTION, "title": "Significance level"},
        },
    },
    "model": {
        "type": "object",
        "properties": {"loss": {"type": "string", "maxLength": 5000, "title": "Loss"}},
    },
}  # fmt: skip

SECTIONS = [
    # key, fields, required fields
    ("metrics", {"metrics": "*"}, ["metrics.items"]),
    ("data", {"data": "*"}, ["data.split", "data.class_balance.positive_rate"]),
    ("serving", {"serving": "*"}, ["serving.mode", "serving.rollback"]),
    ("ab_test", {"ab_test": "*"}, ["ab_test.primary_metric"]),
    ("model", {"model": "*"}, ["model.loss"]),
    ("appendix", {}, []),
]

READERS = ["victor", "bob"]
WRITERS = ["eddie", "alice"]


@pytest.fixture
def design(team_a, alice):
    template = DesignTemplate.objects.create(key="t", version=1, title="T", content_hash="t")
    for position, (key, fields, required) in enumerate(SECTIONS):
        SectionSpec.objects.create(
            template=template,
            key=key,
            position=position,
            title=key.replace("_", " ").title(),
            purpose=f"Why {key} matters.",
            fields=fields,
            required_fields=required,
            field_schema=compose_section_schema(fields, CANONICAL),
        )
    return make_document(team_a, alice, template=template)


def edit_url(doc, key):
    return reverse("documents:section_edit", args=[doc.pk, key])


def post(client, doc, key, data, body="Text.", version=1):
    payload = {"body_md": body, "base_version": version}
    if data is not None:
        payload["data"] = data if isinstance(data, str) else json.dumps(data)
    return client.post(edit_url(doc, key), payload)


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html5lib")


def json_script(response, element_id):
    return json.loads(page(response).find("script", id=element_id).string)


def text(response) -> str:
    return " ".join(page(response).get_text(" ").split())


def save(doc, key, data, author, body=""):
    section = doc.sections.select_related("spec", "document").get(key=key)
    return section_save(section=section, body_md=body, data=data, author=author)


def state(doc, key) -> tuple:
    section = doc.sections.get(key=key)
    return (section.version, section.body_md, section.data, section.revisions.count())


# ---------- The page ----------


def test_the_editor_ships_the_schema_the_required_fields_and_the_current_fields(
    client, alice, design
):
    save(design, "serving", {"serving": {"mode": "online"}}, alice)
    client.force_login(alice)
    response = client.get(edit_url(design, "serving"))
    assert response.status_code == 200
    schema = json_script(response, "fields-schema")
    assert schema["properties"]["serving"]["properties"]["mode"]["enum"][0] == "batch"
    config = json_script(response, "editor-config")
    assert config["required"] == ["serving.mode", "serving.rollback"]
    assert (config["section"], config["version"]) == ("serving", 2)
    assert config["groupTitles"] == {"serving": "Serving & deployment"}
    soup = page(response)
    assert soup.find(id="fields-form")
    data = soup.find("textarea", attrs={"name": "data"})
    assert json.loads(data.string) == {"serving": {"mode": "online"}}
    assert soup.find("label", attrs={"for": data["id"]})


def test_the_editor_page_has_no_inline_scripts(client, alice, design):
    client.force_login(alice)
    soup = page(client.get(edit_url(design, "metrics")))
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json", script
    assert soup.find("script", src=lambda src: src and src.endswith("js/section-editor.js"))


def test_the_editor_shows_how_many_required_fields_are_filled_and_which_are_missing(
    client, alice, design
):
    save(design, "serving", {"serving": {"mode": "batch"}}, alice)
    client.force_login(alice)
    response = client.get(edit_url(design, "serving"))
    assert "1 of 2 required fields filled" in text(response)
    bar = page(response).find("progress", id="completeness-bar")
    assert (bar["value"], bar["max"]) == ("1", "2")
    missing = page(response).select("#completeness-list a")
    assert [(a["data-path"], a.get_text()) for a in missing] == [("serving.rollback", "Rollback")]


def test_a_markdown_only_section_has_no_fields_form_and_ignores_posted_fields(
    client, alice, design
):
    client.force_login(alice)
    response = client.get(edit_url(design, "appendix"))
    assert not page(response).find(id="fields-form")
    assert not page(response).find("textarea", attrs={"name": "data"})
    response = post(client, design, "appendix", {"anything": {"x": 1}}, body="Notes.")
    assert response.status_code == 302
    assert state(design, "appendix")[1:3] == ("Notes.", {})


def test_the_model_section_shows_the_split_of_the_data_section_read_only(client, alice, design):
    splits = [{"name": "train", "share": 0.8}, {"name": "test", "share": 0.2}]
    save(design, "data", {"data": {"split": {"strategy": "time", "splits": splits}}}, alice)
    client.force_login(alice)
    context = page(client.get(edit_url(design, "model"))).select_one(".fields-context")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in context.select("tbody tr")]
    assert rows == [["train", "—", "—", "80 %"], ["test", "—", "—", "20 %"]]
    assert not context.find(["input", "select", "textarea"])


# ---------- Saving ----------


def test_saving_fields_and_body_through_the_form_writes_one_revision_with_both(
    client, alice, design
):
    client.force_login(alice)
    data = {"serving": {"mode": "online", "latency_breakdown": [{"stage": "model", "p99_ms": 35}]}}
    response = post(client, design, "serving", data, body="Served online.")
    assert response.status_code == 302
    assert response.url.endswith("?saved=serving#sec-serving")
    revision = Revision.objects.get(section__key="serving")
    assert (revision.version, revision.data, revision.body_md) == (2, data, "Served online.")
    assert state(design, "serving") == (2, "Served online.", data, 1)


def test_empty_values_and_rows_are_pruned_on_save(client, alice, design):
    client.force_login(alice)
    data = {
        "serving": {"mode": "batch", "rollback": "  ", "latency_breakdown": [{}, {"stage": ""}]}
    }
    assert post(client, design, "serving", data).status_code == 302
    assert state(design, "serving")[2] == {"serving": {"mode": "batch"}}


def test_a_save_without_the_fields_keeps_the_stored_fields(client, alice, design):
    save(design, "serving", {"serving": {"mode": "online"}}, alice)
    client.force_login(alice)
    assert post(client, design, "serving", None, body="Only text.", version=2).status_code == 302
    assert state(design, "serving")[1:3] == ("Only text.", {"serving": {"mode": "online"}})


def test_an_empty_fields_box_clears_the_fields(client, alice, design):
    save(design, "serving", {"serving": {"mode": "online"}}, alice)
    client.force_login(alice)
    assert post(client, design, "serving", "  ", version=2).status_code == 302
    assert state(design, "serving")[2] == {}


BIG_TEXT = "x" * (DATA_MAX_BYTES + 1)

BAD_INPUT = {
    "wrong type": ("serving", {"serving": {"mode": 3}}, "serving.mode", "Choose one of"),
    "text for a number": (
        "serving",
        {"serving": {"latency_breakdown": [{"stage": "model", "p99_ms": "fast"}]}},
        "serving.latency_breakdown.0.p99_ms",
        "Must be a number.",
    ),
    "enum outside its list": (
        "metrics",
        {"metrics": {"items": [{"name": "ctr", "kind": "revenue"}]}},
        "metrics.items.0.kind",
        "Choose one of: business, online, offline, guardrail.",
    ),
    "negative latency": (
        "serving",
        {"serving": {"latency_breakdown": [{"stage": "model", "p99_ms": -5}]}},
        "serving.latency_breakdown.0.p99_ms",
        "Must be at least 0.",
    ),
    "a share of 150 %": (
        "data",
        {"data": {"class_balance": {"positive_rate": 1.5}}},
        "data.class_balance.positive_rate",
        "Must be at most 1.",
    ),
    "10,000 rows": (
        "metrics",
        {"metrics": {"items": [{"name": f"m{i}"} for i in range(10_000)]}},
        "metrics.items",
        "At most 100 rows.",
    ),
    "a reference to a split that does not exist": (
        "metrics",
        {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}},
        "metrics.items.0.dataset",
        "“test” is not a declared split (declared: none yet).",
    ),
    "an unknown field": ("serving", {"serving": {"speed": 1}}, "serving", "Unknown field: speed."),
    "fields over the size limit": (
        "metrics",
        {"metrics": {"hierarchy_rationale": BIG_TEXT}},
        "data",
        "the limit is 200,000",
    ),
    "a JSON text over the size limit": (
        "metrics",
        " " * (DATA_TEXT_MAX_CHARS + 1) + "{}",
        "data",
        "the limit is 400,000",
    ),
    "invalid JSON": ("serving", '{"serving": {"mode": "online",}}', "data", "not valid JSON"),
    "JSON that is not an object": ("serving", '["online"]', "data", "must be a JSON object"),
    "NaN": ("serving", '{"serving": {"mode": NaN}}', "data", "not valid JSON"),
    "an infinite number": (
        "serving",
        '{"serving": {"latency_breakdown": [{"p99_ms": 1e999}]}}',
        "data",
        "not valid JSON",
    ),
    "JSON nested too deeply": ("serving", "[" * 100_000, "data", "nested too deeply"),
}


@pytest.mark.parametrize(("key", "data", "path", "message"), BAD_INPUT.values(), ids=BAD_INPUT)
def test_bad_input_answers_400_with_the_field_path_and_saves_nothing(
    client, alice, design, key, data, path, message
):
    before = state(design, key)
    client.force_login(alice)
    response = post(client, design, key, data, body="Keep my text.")
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")  # a fast parser: some pages are big
    errors = json.loads(soup.find("script", id="fields-errors").string)
    assert path in errors, errors
    assert any(message in m for m in errors[path]), errors[path]
    summary = soup.select_one(f'#error-summary a[data-path="{path}"]')
    assert summary is not None
    assert path in summary.find_parent("li").get_text()
    assert soup.find("textarea", attrs={"name": "body_md"}).get_text().strip() == "Keep my text."
    if isinstance(data, str):
        assert soup.find("textarea", attrs={"name": "data"}).get_text().strip() == data.strip()
    assert state(design, key) == before
    assert not Revision.objects.exists()


def test_the_error_summary_names_the_field_by_its_title(client, alice, design):
    client.force_login(alice)
    bad = {"metrics": {"items": [{"name": "ctr", "kind": "online"}, {"name": "x", "kind": "y"}]}}
    response = post(client, design, "metrics", bad)
    link = page(response).select_one('#error-summary a[data-path="metrics.items.1.kind"]')
    assert link.get_text() == "Metrics \u203a row 2 \u203a Kind"


def test_a_refused_save_keeps_the_users_fields_in_the_form(client, alice, design):
    client.force_login(alice)
    data = {"serving": {"mode": "online", "latency_breakdown": [{"stage": "s", "p99_ms": -1}]}}
    response = post(client, design, "serving", data)
    assert json.loads(page(response).find("textarea", attrs={"name": "data"}).string) == data
    assert page(response).find("form", id="section-form")["data-dirty"] == "true"


# ---------- Pickers ----------


def test_pickers_offer_the_names_declared_in_other_sections(client, alice, design):
    splits = [{"name": "train"}, {"name": "test"}]
    save(design, "data", {"data": {"split": {"splits": splits}}}, alice)
    metrics = [{"name": "ctr", "kind": "online"}, {"name": "auc", "kind": "offline"}]
    save(design, "metrics", {"metrics": {"items": metrics}}, alice)
    client.force_login(alice)

    config = json_script(client.get(edit_url(design, "ab_test")), "editor-config")
    assert config["choices"]["metrics"] == ["auc", "ctr"]
    assert config["metricKinds"] == {"ctr": "online", "auc": "offline"}
    assert config["pickers"]["ab_test.primary_metric"] == "metrics"

    config = json_script(client.get(edit_url(design, "metrics")), "editor-config")
    assert config["choices"]["splits"] == ["test", "train"]
    assert config["choices"]["entities"] == ["context", "cross"]
    assert config["pickers"]["metrics.items.*.dataset"] == "splits"
    assert config["sources"]["splits"] == "data.split.splits"

    ok = {"metrics": {"items": [*metrics[:1], {**metrics[1], "dataset": "test"}]}}
    assert post(client, design, "metrics", ok, version=2).status_code == 302
    assert (
        post(client, design, "ab_test", {"ab_test": {"primary_metric": "ctr"}}).status_code == 302
    )


def test_a_section_does_not_offer_its_own_stored_names_only_the_others(client, alice, design):
    save(design, "metrics", {"metrics": {"items": [{"name": "old_name"}]}}, alice)
    client.force_login(alice)
    config = json_script(client.get(edit_url(design, "metrics")), "editor-config")
    # The form lists its own metrics live; the server only sends what other sections declare.
    assert config["choices"]["metrics"] == []


# ---------- Conflicts ----------


def test_a_stale_base_version_answers_409_with_both_versions_and_the_diff(
    client, alice, eddie, design
):
    save(design, "serving", {"serving": {"mode": "batch"}}, eddie, body="Intro.\nTheirs.")
    before = state(design, "serving")
    client.force_login(alice)
    mine = {"serving": {"mode": "online", "rollback": "Flip the flag."}}
    response = post(client, design, "serving", mine, body="Intro.\nMine.", version=1)
    assert response.status_code == 409
    soup = page(response)
    assert "eddie saved version 2" in text(response)
    assert [s.get_text() for s in soup.select(".conflict .diff__removed .diff__text")] == [
        "Theirs."
    ]
    assert [s.get_text() for s in soup.select(".conflict .diff__added .diff__text")] == ["Mine."]
    assert [s.get_text() for s in soup.select(".conflict tr.diff__same .diff__text")] == [
        "Intro.",
        "Intro.",
    ]
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])][:3]
        for tr in soup.select(".diff-fields tbody tr")
    ]
    assert rows == [
        ["Serving mode serving.mode", "batch", "online"],
        ["Rollback serving.rollback", "—", "Flip the flag."],
    ]
    assert soup.select_one('button[data-use-theirs="serving.mode"]')
    # Mine stays in the editor, now based on their version; nothing was written.
    assert soup.find("textarea", attrs={"name": "body_md"}).get_text().strip() == "Intro.\nMine."
    assert json.loads(soup.find("textarea", attrs={"name": "data"}).string) == mine
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "2"
    conflict = json_script(response, "editor-config")["conflict"]
    assert conflict["data"] == {"serving": {"mode": "batch"}}
    assert conflict["merged"] == "Intro.\nTheirs.\nMine."
    assert state(design, "serving") == before


def test_keeping_mine_after_a_conflict_saves_on_top_and_theirs_stays_in_the_history(
    client, alice, eddie, design
):
    save(design, "serving", {"serving": {"mode": "batch"}}, eddie, body="Theirs.")
    client.force_login(alice)
    assert (
        post(client, design, "serving", {"serving": {"mode": "online"}}, "Mine.").status_code == 409
    )
    response = post(client, design, "serving", {"serving": {"mode": "online"}}, "Mine.", version=2)
    assert response.status_code == 302
    assert state(design, "serving") == (3, "Mine.", {"serving": {"mode": "online"}}, 2)
    assert Revision.objects.get(section__key="serving", version=2).body_md == "Theirs."


def test_a_conflict_on_a_save_without_fields_shows_no_field_changes(client, alice, eddie, design):
    save(design, "serving", {"serving": {"mode": "batch"}}, eddie, body="Theirs.")
    client.force_login(alice)
    response = post(client, design, "serving", None, body="Mine.")
    assert response.status_code == 409
    assert not page(response).select(".diff-fields tbody tr")
    assert "The fields are the same in both versions." in text(response)


# ---------- Who may ----------


def test_anonymous_is_sent_to_log_in_and_nothing_is_saved(client, design):
    before = state(design, "serving")
    response = post(client, design, "serving", {"serving": {"mode": "online"}})
    assert response.status_code == 302 and "/login" in response.url
    assert state(design, "serving") == before


def test_outsiders_get_404_and_nothing_is_saved(client, cast, design):
    before = state(design, "serving")
    client.force_login(cast["carol"])
    assert client.get(edit_url(design, "serving")).status_code == 404
    assert post(client, design, "serving", {"serving": {"mode": "online"}}).status_code == 404
    assert state(design, "serving") == before


@pytest.mark.parametrize("name", READERS)
def test_viewers_and_reviewers_get_403_and_nothing_is_saved(client, cast, design, name):
    before = state(design, "serving")
    client.force_login(cast[name])
    assert client.get(edit_url(design, "serving")).status_code == 403
    assert post(client, design, "serving", {"serving": {"mode": "online"}}).status_code == 403
    assert state(design, "serving") == before


@pytest.mark.parametrize("name", WRITERS)
def test_editors_and_owners_save_fields(client, cast, design, name):
    client.force_login(cast[name])
    assert client.get(edit_url(design, "serving")).status_code == 200
    assert post(client, design, "serving", {"serving": {"mode": "online"}}).status_code == 302
    assert state(design, "serving")[2] == {"serving": {"mode": "online"}}


def test_the_editor_reads_the_sections_in_one_query(
    client, alice, design, django_assert_num_queries
):
    client.force_login(alice)
    client.get(edit_url(design, "serving"))
    # session, user, the document with its role, the sections with their specs, the stored
    # checklist result, the unread notifications for the bell
    with django_assert_num_queries(6):
        assert client.get(edit_url(design, "serving")).status_code == 200


def test_the_editor_lists_this_sections_checklist_findings(client, alice, team_a):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design", version=1)
    document = document_create(team=team_a, template=template, title="CTR", created_by=alice)
    client.force_login(alice)
    response = client.get(edit_url(document, "problem"))
    page = BeautifulSoup(response.content, "html5lib")
    rules = {code.get_text() for code in page.select(".section-findings li > code")}
    assert {"DOC-01", "PRB-01"} <= rules
    assert page.select_one('.section-findings a[data-path="problem.business_goal"]')
