"""Document services: create from a template, edit the title and sections, archive, restore."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.documents import markdown
from apps.documents.models import (
    SECTION_BODY_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    Document,
    Revision,
    Section,
    document_content_hash,
)
from apps.documents.services import (
    SectionConflict,
    document_archive,
    document_create,
    document_restore,
    document_update,
    markdown_preview,
    section_save,
)
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from tests.factories import make_template


@pytest.fixture
def template(db):
    return make_template("mlsd", sections=4)


@pytest.fixture
def section(doc):
    return doc.sections.get(key="s0")


@pytest.fixture
def render_calls(monkeypatch):
    """Every call to markdown.render, recorded while still rendering for real."""
    calls = []
    real_render = markdown.render

    def spy(text, **kwargs):
        calls.append((text, kwargs))
        return real_render(text, **kwargs)

    monkeypatch.setattr(markdown, "render", spy)
    return calls


def snapshot(section: Section) -> tuple:
    section.refresh_from_db()
    return (section.body_md, section.body_html, section.version, section.updated_by_id)


# document_create


def test_document_create_makes_one_empty_section_per_template_section_in_order(
    team_a, alice, template
):
    document = document_create(team=team_a, template=template, title="CTR", created_by=alice)

    sections = list(document.sections.order_by("position"))
    assert [s.key for s in sections] == ["s0", "s1", "s2", "s3"]
    assert [s.position for s in sections] == [0, 1, 2, 3]
    assert all(s.body_md == "" and s.body_html == "" and s.version == 1 for s in sections)
    assert all(s.data == {} and s.is_empty for s in sections)
    assert not Revision.objects.filter(section__document=document).exists()


def test_document_create_follows_template_positions_not_insertion_order(team_a, alice):
    template = DesignTemplate.objects.create(key="odd", version=1, title="Odd", content_hash="x")
    for key, position in [("later", 2), ("first", 0), ("middle", 1)]:
        SectionSpec.objects.create(template=template, key=key, position=position, title=key)

    document = document_create(team=team_a, template=template, title="CTR", created_by=alice)

    assert list(document.sections.values_list("key", flat=True)) == ["first", "middle", "later"]
    assert all(s.spec.key == s.key for s in document.sections.select_related("spec"))


def test_document_create_records_team_template_author_and_starts_as_a_draft(
    team_a, alice, template
):
    document = document_create(
        team=team_a, template=template, title="  CTR prediction  ", created_by=alice
    )

    document.refresh_from_db()
    assert document.title == "CTR prediction"
    assert document.team == team_a
    assert document.template == template
    assert document.created_by == alice
    assert document.status == Document.Status.DRAFT
    assert document.summary == ""
    assert not document.is_archived


@pytest.mark.parametrize(
    "title",
    ["", "   ", "\n\t", None, "x" * (TITLE_MAX_CHARS + 1)],
    ids=["empty", "spaces", "whitespace", "none", "too-long"],
)
def test_document_create_refuses_a_bad_title_and_creates_nothing(team_a, alice, template, title):
    with pytest.raises(ValidationError) as excinfo:
        document_create(team=team_a, template=template, title=title, created_by=alice)

    assert "title" in excinfo.value.message_dict
    assert not Document.objects.exists()
    assert not Section.objects.exists()


def test_a_title_of_exactly_the_limit_is_accepted(team_a, alice, template):
    title = "x" * TITLE_MAX_CHARS

    document = document_create(team=team_a, template=template, title=title, created_by=alice)

    document.refresh_from_db()
    assert document.title == title


def test_document_create_keeps_a_summary_up_to_the_limit(team_a, alice, template):
    summary = "s" * SUMMARY_MAX_CHARS

    document = document_create(
        team=team_a, template=template, title="CTR", created_by=alice, summary=summary
    )

    document.refresh_from_db()
    assert document.summary == summary


def test_document_create_refuses_a_summary_over_the_limit_and_creates_nothing(
    team_a, alice, template
):
    with pytest.raises(ValidationError) as excinfo:
        document_create(
            team=team_a,
            template=template,
            title="CTR",
            created_by=alice,
            summary="s" * (SUMMARY_MAX_CHARS + 1),
        )

    assert "summary" in excinfo.value.message_dict
    assert not Document.objects.exists()
    assert not Section.objects.exists()


# document_update


def test_document_update_changes_the_title_and_bumps_updated_at(doc):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Document.objects.filter(pk=doc.pk).update(updated_at=an_hour_ago)
    doc.refresh_from_db()

    document_update(document=doc, title="  Better title ")

    doc.refresh_from_db()
    assert doc.title == "Better title"
    assert doc.updated_at > an_hour_ago


def test_document_update_changes_only_the_summary_when_only_the_summary_is_given(doc):
    document_update(document=doc, summary="Predict clicks.")

    doc.refresh_from_db()
    assert doc.title == "CTR prediction"
    assert doc.summary == "Predict clicks."


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * (TITLE_MAX_CHARS + 1)}, "title"),
        ({"summary": "s" * (SUMMARY_MAX_CHARS + 1)}, "summary"),
        ({"title": "Fine", "summary": "s" * (SUMMARY_MAX_CHARS + 1)}, "summary"),
    ],
    ids=["empty-title", "blank-title", "long-title", "long-summary", "good-title-long-summary"],
)
def test_document_update_refuses_bad_values_and_changes_nothing(doc, changes, key):
    before = Document.objects.get(pk=doc.pk)

    with pytest.raises(ValidationError) as excinfo:
        document_update(document=doc, **changes)

    assert key in excinfo.value.message_dict
    assert (doc.title, doc.summary) == (before.title, before.summary)  # the instance too
    doc.refresh_from_db()
    assert (doc.title, doc.summary, doc.updated_at) == (
        before.title,
        before.summary,
        before.updated_at,
    )


def test_an_archived_document_refuses_document_update(doc):
    document_archive(document=doc)
    before = Document.objects.get(pk=doc.pk)

    with pytest.raises(ValidationError):
        document_update(document=doc, title="New title")

    doc.refresh_from_db()
    assert doc.title == before.title == "CTR prediction"
    assert doc.updated_at == before.updated_at


# section_save


def test_section_save_renders_once_and_stores_sanitized_html(section, alice, render_calls):
    section_save(section=section, body_md="# Goal\n\nHi <script>alert(1)</script>", author=alice)

    assert render_calls == [("# Goal\n\nHi <script>alert(1)</script>", {"anchor_prefix": "s0"})]
    section.refresh_from_db()
    soup = BeautifulSoup(section.body_html, "html5lib")
    assert soup.find("h1")["id"] == "s0-goal"
    assert soup.find("p").get_text() == "Hi <script>alert(1)</script>"
    assert not soup.find("script")


def test_section_save_bumps_the_version_and_writes_a_revision_each_time(section, alice, eddie):
    section_save(section=section, body_md="first", author=alice)
    section_save(section=section, body_md="second", author=eddie)

    section.refresh_from_db()
    assert section.version == 3
    assert section.body_md == "second"
    assert section.updated_by == eddie
    revisions = list(section.revisions.order_by("version"))
    assert [(r.version, r.body_md, r.author) for r in revisions] == [
        (2, "first", alice),
        (3, "second", eddie),
    ]


def test_section_save_returns_the_section_as_saved(section, alice):
    saved = section_save(section=section, body_md="*hello*", author=alice)

    assert saved.version == 2
    assert saved.body_html == "<p><em>hello</em></p>"


def test_section_save_bumps_the_documents_updated_at(doc, section, alice):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Document.objects.filter(pk=doc.pk).update(updated_at=an_hour_ago)

    section_save(section=section, body_md="x", author=alice)

    doc.refresh_from_db()
    assert doc.updated_at > an_hour_ago


def test_section_save_accepts_a_body_of_exactly_the_limit(section, alice):
    body = "a" * SECTION_BODY_MAX_CHARS

    section_save(section=section, body_md=body, author=alice)

    section.refresh_from_db()
    assert len(section.body_md) == SECTION_BODY_MAX_CHARS
    assert section.version == 2


def test_section_save_refuses_a_body_over_the_limit_and_changes_nothing(
    section, alice, render_calls
):
    section_save(section=section, body_md="kept", author=alice)
    before = snapshot(section)

    with pytest.raises(ValidationError) as excinfo:
        section_save(section=section, body_md="a" * (SECTION_BODY_MAX_CHARS + 1), author=alice)

    assert "body_md" in excinfo.value.message_dict
    assert snapshot(section) == before
    assert section.revisions.count() == 1
    assert len(render_calls) == 1  # only the first, accepted save rendered


def test_section_save_normalises_line_endings(section, alice):
    section_save(section=section, body_md="one\r\ntwo\rthree\n", author=alice)

    section.refresh_from_db()
    assert section.body_md == "one\ntwo\nthree\n"
    assert section.revisions.get().body_md == "one\ntwo\nthree\n"


def test_the_body_limit_counts_normalised_line_endings(section, alice):
    body = "ab\r\n" * (SECTION_BODY_MAX_CHARS // 3)  # over the limit only with the \r

    section_save(section=section, body_md=body, author=alice)

    section.refresh_from_db()
    assert len(section.body_md) <= SECTION_BODY_MAX_CHARS
    assert "\r" not in section.body_md


def test_section_save_with_the_current_base_version_saves(section, alice):
    section_save(section=section, body_md="new", author=alice, base_version=1)

    section.refresh_from_db()
    assert (section.body_md, section.version) == ("new", 2)


def test_section_save_with_a_stale_base_version_raises_a_conflict_and_writes_nothing(
    section, alice, eddie
):
    section_save(section=section, body_md="eddie's words", author=eddie, base_version=1)
    stale = Section.objects.get(pk=section.pk)
    stale.version = 1  # alice opened the editor before eddie saved
    before = snapshot(section)

    with pytest.raises(SectionConflict) as excinfo:
        section_save(section=stale, body_md="alice's words", author=alice, base_version=1)

    conflict = excinfo.value
    assert isinstance(conflict, ValidationError)
    assert "base_version" in conflict.message_dict
    assert conflict.current.pk == section.pk
    assert conflict.current.version == 2
    assert conflict.current.body_md == "eddie's words"
    assert snapshot(section) == before
    assert list(section.revisions.values_list("author__username", flat=True)) == ["eddie"]


def test_section_save_without_a_base_version_overwrites_the_last_save(section, alice, eddie):
    section_save(section=section, body_md="eddie's words", author=eddie)
    stale = Section.objects.get(pk=section.pk)

    section_save(section=stale, body_md="alice's words", author=alice)

    section.refresh_from_db()
    assert (section.body_md, section.version) == ("alice's words", 3)


def test_an_archived_document_refuses_section_save(doc, alice):
    section = doc.sections.get(key="s1")
    section_save(section=section, body_md="before archiving", author=alice)
    document_archive(document=doc)
    section = Section.objects.get(pk=section.pk)
    before = snapshot(section)

    with pytest.raises(ValidationError):
        section_save(section=section, body_md="after archiving", author=alice)

    assert snapshot(section) == before
    assert section.revisions.count() == 1


# archive and restore


def test_archive_hides_nothing_by_deleting_and_is_idempotent(doc):
    sections_before = list(doc.sections.values_list("pk", flat=True))

    document_archive(document=doc)
    doc.refresh_from_db()
    first_archived_at = doc.archived_at
    document_archive(document=doc)

    doc.refresh_from_db()
    assert doc.is_archived
    assert doc.archived_at == first_archived_at
    assert Document.objects.filter(pk=doc.pk).exists()
    assert list(doc.sections.values_list("pk", flat=True)) == sections_before
    assert list(Document.objects.archived()) == [doc]
    assert not Document.objects.active().exists()


def test_restore_brings_an_archived_document_back_and_is_idempotent(doc, alice):
    document_archive(document=doc)

    document_restore(document=doc)
    document_restore(document=doc)

    doc.refresh_from_db()
    assert not doc.is_archived
    assert list(Document.objects.active()) == [doc]
    section_save(section=doc.sections.get(key="s0"), body_md="editable again", author=alice)


def test_restore_of_a_document_that_was_never_archived_changes_nothing(doc):
    before = Document.objects.get(pk=doc.pk)

    document_restore(document=doc)

    doc.refresh_from_db()
    assert doc.archived_at is None
    assert doc.updated_at == before.updated_at


# markdown_preview


def test_markdown_preview_renders_without_saving(section):
    before = snapshot(section)

    html = markdown_preview(body_md="# Draft\r\n\r\n*words*", anchor_prefix="s0")

    assert html == '<h1 id="s0-draft">Draft</h1>\n<p><em>words</em></p>'
    assert snapshot(section) == before
    assert not Revision.objects.exists()


def test_markdown_preview_matches_what_a_save_stores(section, alice):
    body = "## Metrics\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n[x](javascript:alert(1))"

    preview = markdown_preview(body_md=body, anchor_prefix=section.key)
    section_save(section=section, body_md=body, author=alice)

    section.refresh_from_db()
    assert preview == section.body_html


def test_markdown_preview_refuses_a_body_over_the_limit(db):
    with pytest.raises(ValidationError) as excinfo:
        markdown_preview(body_md="a" * (SECTION_BODY_MAX_CHARS + 1))

    assert "body_md" in excinfo.value.message_dict


def test_the_content_hash_follows_content_not_versions(doc, alice):
    section = doc.sections.select_related("spec", "document").get(key="s0")
    empty_hash = section.content_hash
    assert empty_hash == Section.hash_content("", {})
    section_save(section=section, body_md="A", author=alice)
    first = doc.sections.get(key="s0").content_hash
    section_save(section=section, body_md="B", author=alice)
    assert doc.sections.get(key="s0").content_hash != first
    section_save(section=section, body_md="A", author=alice)
    assert doc.sections.get(key="s0").content_hash == first
    before = document_content_hash(doc.sections.order_by("position"))
    section_save(section=doc.sections.get(key="s1"), body_md="changed", author=alice)
    assert document_content_hash(doc.sections.order_by("position")) != before
