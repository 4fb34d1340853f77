"""The section editor page with structured fields: save, field errors, pickers, conflicts."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents.models import Revision
from apps.documents.services import section_save
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import compose_section_schema, load_canonical
from tests.factories import make_document


@pytest.fixture
def design(team_a, alice):
    canonical = load_canonical()
    template = DesignTemplate.objects.create(key="t", version=1, title="T", content_hash="t")
    for position, group in enumerate(["metrics", "data", "serving", "risks"]):
        SectionSpec.objects.create(
            template=template,
            key=group,
            position=position,
            title=group.title(),
            fields={group: "*"},
            required_fields=[f"{group}.{next(iter(canonical[group]['properties']))}"],
            field_schema=compose_section_schema({group: "*"}, canonical),
        )
    SectionSpec.objects.create(template=template, key="appendix", position=9, title="Appendix")
    return make_document(team_a, alice, template=template)


def edit_url(doc, key):
    return reverse("documents:section_edit", args=[doc.pk, key])


def post(client, doc, key, data, body="Text.", version=1):
    payload = {"body_md": body, "base_version": version}
    if data is not None:
        payload["data"] = data if isinstance(data, str) else json.dumps(data)
    return client.post(edit_url(doc, key), payload)


def soup_of(response):
    return BeautifulSoup(response.content, "html5lib")


def json_script(response, element_id):
    return json.loads(soup_of(response).find("script", id=element_id).string)


def test_the_editor_ships_the_schema_required_fields_and_current_data(client, alice, design):
    client.force_login(alice)
    response = client.get(edit_url(design, "serving"))
    assert response.status_code == 200
    assert json_script(response, "fields-schema")["properties"]["serving"]["properties"]["mode"]
    assert json_script(response, "fields-required") == ["serving.mode"]
    assert soup_of(response).find(id="fields-form")
    assert json.loads(soup_of(response).find("textarea", attrs={"name": "data"}).string) == {}


def test_a_markdown_only_section_has_no_fields_form(client, alice, design):
    client.force_login(alice)
    response = client.get(edit_url(design, "appendix"))
    assert not soup_of(response).find(id="fields-form")
    assert post(client, design, "appendix", None, body="Notes.").status_code == 302
    assert design.sections.get(key="appendix").data == {}


def test_fields_and_body_save_together_in_one_revision(client, alice, design):
    client.force_login(alice)
    data = {"serving": {"mode": "online", "rollback": "One command."}}
    response = post(client, design, "serving", data, body="Served online.")
    assert response.status_code == 302
    revision = Revision.objects.get(section__key="serving")
    assert (revision.version, revision.data, revision.body_md) == (2, data, "Served online.")


BAD = [
    ({"serving": {"mode": 3}}, "serving.mode"),
    ({"metrics": {"items": [{"name": "ctr", "kind": "revenue"}]}}, "metrics.items.0.kind"),
    ({"serving": {"latency_breakdown": [{"stage": "s", "p99_ms": -5}]}},
     "serving.latency_breakdown.0.p99_ms"),
    ({"data": {"class_balance": {"positive_rate": 1.5}}}, "data.class_balance.positive_rate"),
    ({"metrics": {"items": [{"name": f"m{i}"} for i in range(10_000)]}}, "metrics.items"),
    ({"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}},
     "metrics.items.0.dataset"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path"), BAD)
def test_a_bad_field_is_shown_by_path_and_nothing_is_saved(client, alice, design, data, path):
    key = path.split(".")[0]
    client.force_login(alice)
    response = post(client, design, key, data, body="Keep my text.")
    assert response.status_code == 400
    assert path in json_script(response, "fields-errors")
    summary = soup_of(response).select_one(f'[data-error-path="{path}"]')
    assert summary is not None
    body = soup_of(response).find("textarea", attrs={"name": "body_md"}).get_text()
    assert body.strip() == "Keep my text."
    section = design.sections.get(key=key)
    assert (section.version, section.data) == (1, {})
    assert not Revision.objects.exists()


def test_invalid_json_is_a_form_error_and_nothing_is_saved(client, alice, design):
    client.force_login(alice)
    response = post(client, design, "serving", "{not json")
    assert response.status_code == 400
    assert "not valid JSON" in soup_of(response).get_text()
    assert not Revision.objects.exists()


def test_pickers_offer_the_names_declared_in_other_sections(client, alice, design):
    data = design.sections.select_related("spec", "document").get(key="data")
    splits = {"data": {"split": {"splits": [{"name": "train"}, {"name": "test"}]}}}
    section_save(section=data, body_md="", author=alice, data=splits)
    client.force_login(alice)
    choices = json_script(client.get(edit_url(design, "metrics")), "fields-choices")
    assert choices["splits"] == ["test", "train"]
    assert choices["entities"] == ["context", "cross"]
    ok = {"metrics": {"items": [{"name": "auc", "kind": "offline", "dataset": "test"}]}}
    assert post(client, design, "metrics", ok).status_code == 302


def test_a_conflict_shows_the_field_differences_and_keeps_mine(client, alice, eddie, design):
    serving = design.sections.select_related("spec", "document").get(key="serving")
    section_save(section=serving, body_md="Theirs.", author=eddie,
                 data={"serving": {"mode": "batch"}})  # fmt: skip
    client.force_login(alice)
    response = post(client, design, "serving", {"serving": {"mode": "online"}}, body="Mine.")
    assert response.status_code == 409
    soup = soup_of(response)
    row = soup.select_one(".diff-fields tbody tr")
    assert [cell.get_text() for cell in row.find_all(["th", "td"])] == [
        "serving.mode", "batch", "online",
    ]  # fmt: skip
    assert json.loads(soup.find("textarea", attrs={"name": "data"}).string) == {
        "serving": {"mode": "online"}
    }
    serving.refresh_from_db()
    assert (serving.version, serving.data) == (2, {"serving": {"mode": "batch"}})


@pytest.mark.parametrize(("name", "status"), [("carol", 404), ("victor", 403), ("bob", 403)])
def test_only_editors_and_owners_can_save_fields(client, cast, design, name, status):
    client.force_login(cast[name])
    assert post(client, design, "serving", {"serving": {"mode": "online"}}).status_code == status
    assert design.sections.get(key="serving").version == 1
