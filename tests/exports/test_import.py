"""Importing Markdown: the export format round-trips; plain Markdown is split by headings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.documents.models import Document
from apps.exports import services
from apps.exports.markdown_format import dump
from apps.exports.snapshot import build
from apps.templates_catalog.services import templates_load_all

pytestmark = pytest.mark.django_db

PLAIN = """# Feed ranking

## Problem & business goal

Raise ad revenue without hurting retention.

## Metrics

CTR offline, revenue per user online.
"""


@pytest.fixture
def templates(db):
    templates_load_all()


def test_an_exported_document_imports_as_the_same_content(written_doc, alice, team_a):
    text = dump(build(written_doc))
    copy = services.document_import(team=team_a, user=alice, text=text)
    assert copy.pk != written_doc.pk and copy.title == "CTR prediction"
    bodies = dict(copy.sections.values_list("key", "body_md"))
    assert bodies == dict(written_doc.sections.values_list("key", "body_md"))


def test_structured_fields_survive_the_round_trip(templates, team_a, alice):
    from apps.documents.services import document_create, section_save
    from apps.templates_catalog.models import DesignTemplate

    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    doc = document_create(team=team_a, template=template, title="With fields", created_by=alice)
    section = doc.sections.select_related("spec", "document").get(key="problem")
    section_save(
        section=section,
        body_md="Body.",
        data={"problem": {"business_goal": "More revenue", "non_goals": ["Reach"]}},
        author=alice,
    )
    copy = services.document_import(team=team_a, user=alice, text=dump(build(doc)))
    assert copy.sections.get(key="problem").data == doc.sections.get(key="problem").data


def test_plain_markdown_is_split_by_section_titles(templates, team_a, alice):
    doc = services.document_import(
        team=team_a, user=alice, text=PLAIN, template_key="ml_system_design", title="Feed"
    )
    assert doc.sections.get(key="problem").body_md == "Raise ad revenue without hurting retention."
    assert doc.sections.get(key="metrics").body_md == "CTR offline, revenue per user online."
    assert doc.sections.get(key="data").body_md == ""


@pytest.mark.parametrize(
    ("text", "kwargs", "field"),
    [
        (PLAIN, {}, "template"),
        (PLAIN, {"template_key": "nope"}, "template"),
        ("## Not a section\n\nx", {"template_key": "ml_system_design"}, "file"),
        ("no headings at all", {"template_key": "ml_system_design"}, "file"),
        ("---\n[broken\n---\n## Metrics\n", {"template_key": "ml_system_design"}, "file"),
        ("## Metrics\n\n```yaml\nmetrics: {items: 3}\n```\n", {"template_key": "ml_system_design"},
         "file"),
        ("x" * 1_000_001, {"template_key": "ml_system_design"}, "file"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_and_nothing_is_created(
    templates, team_a, alice, text, kwargs, field
):
    with pytest.raises(ValidationError) as excinfo:
        services.document_import(team=team_a, user=alice, text=text, **kwargs)
    assert field in excinfo.value.message_dict
    assert not Document.objects.exists()


def test_reviewers_cannot_import(templates, team_a, bob):
    with pytest.raises(PermissionDenied):
        services.document_import(team=team_a, user=bob, text=PLAIN, template_key="ml_system_design")


def test_the_import_page(client, templates, alice, team_a, team_b):
    client.force_login(alice)
    page = client.get("/documents/import/")
    assert page.status_code == 200 and b"Ads ranking" in page.content
    assert b"Search quality" not in page.content
    upload = SimpleUploadedFile("feed.md", PLAIN.encode(), content_type="text/markdown")
    response = client.post(
        "/documents/import/",
        {"team": str(team_a.pk), "file": upload, "template": "ml_system_design"},
    )
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{doc.pk}/"
    assert doc.title == "Feed ranking"


def test_a_bad_upload_shows_the_form_again(client, templates, alice, team_a, team_b):
    client.force_login(alice)
    upload = SimpleUploadedFile("feed.md", "\udcff".encode("utf-8", "surrogateescape"))
    response = client.post("/documents/import/", {"team": str(team_a.pk), "file": upload})
    assert response.status_code == 400 and b"not UTF-8" in response.content
    response = client.post(
        "/documents/import/",
        {"team": str(team_b.pk), "file": SimpleUploadedFile("a.md", PLAIN.encode())},
    )
    assert response.status_code == 400 and not Document.objects.exists()
