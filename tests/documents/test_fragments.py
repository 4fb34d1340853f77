"""The document page's cached parts: each section's card and the fields of its new-thread form
change with what they show, and never carry one reader's controls to another."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents import fields
from apps.documents.services import document_archive, section_save
from apps.reviews.services import thread_open
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import templates_load_all
from tests.factories import make_document, make_template


def read(client, user, document, language="en") -> BeautifulSoup:
    client.force_login(user)
    response = client.get(
        reverse("documents:detail", args=[document.id]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def edit_link(soup, document, key="s0"):
    return soup.find("a", href=reverse("documents:section_edit", args=[document.id, key]))


def test_a_repeated_read_takes_the_section_cards_from_the_cache(client, cast, doc, monkeypatch):
    section_save(section=doc.sections.get(key="s0"), body_md="Cached words.", author=cast["alice"])
    read(client, cast["victor"], doc)

    def no_field_tables(*args, **kwargs):
        raise AssertionError("a cached card builds no field tables")

    monkeypatch.setattr(fields, "display_blocks", no_field_tables)
    soup = read(client, cast["victor"], doc)
    assert "Cached words." in soup.select_one("#sec-s0 .prose").get_text()


def test_a_card_changes_when_its_section_is_saved(client, cast, doc):
    section = doc.sections.get(key="s0")
    assert (
        "Nothing written here yet." in read(client, cast["victor"], doc).select_one("#sec-s0").text
    )
    section_save(section=section, body_md="First words.", author=cast["alice"])
    assert "First words." in read(client, cast["victor"], doc).select_one("#sec-s0 .prose").text
    section_save(section=section, body_md="Second words.", author=cast["eddie"])
    card = read(client, cast["victor"], doc).select_one("#sec-s0")
    assert "Second words." in card.text and "First words." not in card.text
    assert "Version 3, last edited by eddie" in card.select_one(".doc-section__edited").text


def test_a_card_follows_the_readers_interface_language(client, cast, team_a, alice):
    template = make_template()
    SectionSpec.objects.filter(template=template, key="s0").update(
        translations={"ru": {"title": "Раздел ноль", "purpose": "Зачем этот раздел."}}
    )
    document = make_document(team_a, alice, template=template)
    english = read(client, cast["victor"], document, "en").select_one("#sec-s0")
    assert "Section 0" in english.h2.text and "Guidance" in english.text
    russian = read(client, cast["victor"], document, "ru").select_one("#sec-s0")
    assert "Раздел ноль" in russian.h2.text and "Зачем этот раздел." in russian.text
    assert "Section 0" not in russian.h2.text and "Guidance" not in russian.text
    again = read(client, cast["victor"], document, "en").select_one("#sec-s0")
    assert "Section 0" in again.h2.text


def test_a_card_shows_the_translations_of_its_template_as_reloaded(client, cast, team_a, alice):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    spec = template.sections.get(key="problem")
    russian = spec.translations["ru"]
    spec.translations = {**spec.translations, "ru": {**russian, "title": "Старый перевод"}}
    spec.save(update_fields=["translations"])
    document = make_document(team_a, alice, template=template)
    assert (
        "Старый перевод"
        in read(client, cast["victor"], document, "ru").select_one("#sec-problem h2").get_text()
    )

    templates_load_all()  # the fixtures' translation comes back, in the same template version
    heading = read(client, cast["victor"], document, "ru").select_one("#sec-problem h2")
    assert russian["title"] in heading.get_text() and "Старый перевод" not in heading.get_text()
    assert DesignTemplate.objects.filter(key="ml_system_design").count() == 1


@pytest.mark.parametrize("first", ["alice", "victor"])
def test_edit_links_follow_each_reader_whoever_read_the_page_first(client, cast, doc, first):
    for name in [first, *({"alice", "victor"} - {first})]:
        soup = read(client, cast[name], doc)
        assert bool(edit_link(soup, doc)) == (name == "alice"), name


def test_a_writer_loses_the_edit_links_once_the_document_is_archived(client, cast, doc):
    assert edit_link(read(client, cast["alice"], doc), doc)
    document_archive(document=doc)
    soup = read(client, cast["alice"], doc)
    assert not edit_link(soup, doc)
    assert not soup.select("[data-thread-new]")


@pytest.mark.parametrize("first", ["bob", "victor"])
def test_only_readers_who_may_review_are_offered_a_blocking_concern(client, cast, doc, first):
    for name in [first, *({"bob", "victor"} - {first})]:
        kinds = read(client, cast[name], doc).select_one("#kind-s0")
        values = [option["value"] for option in kinds.find_all("option")]
        assert ("blocking" in values) == (name == "bob"), name
        assert "question" in values


def test_a_comments_own_controls_reach_only_its_author(client, cast, doc):
    thread = thread_open(
        document=doc, author=cast["bob"], section_key="s0", body_md="Why this metric?"
    )
    comment = thread.comments.get()
    change = reverse("reviews:comment_edit", args=[doc.id, comment.id])
    assert read(client, cast["bob"], doc).find("a", href=change)
    assert not read(client, cast["eddie"], doc).find("a", href=change)
