"""History pages: the activity, a section's revisions, comparing two, restoring one."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from apps.documents.models import Revision
from apps.documents.services import section_save


@pytest.fixture
def history(doc, alice, eddie):
    section = doc.sections.select_related("spec", "document").get(key="s0")
    section_save(section=section, body_md="one\ntwo", author=alice)
    section_save(section=section, body_md="one\nTWO\nthree", author=eddie)
    return doc


def soup(response):
    return BeautifulSoup(response.content, "html5lib")


def url(name, doc, *args):
    return reverse(f"documents:{name}", args=[doc.pk, *args])


@pytest.mark.parametrize(
    ("name", "status"),
    [(None, 302), ("carol", 404), ("victor", 200), ("bob", 200), ("eddie", 200), ("alice", 200)],
)
def test_members_read_the_history_pages(client, cast, history, name, status):
    if name:
        client.force_login(cast[name])
    for response in (
        client.get(url("history", history)),
        client.get(url("section_history", history, "s0")),
        client.get(url("revision_compare", history, "s0"), {"from": 2, "to": 3}),
    ):
        assert response.status_code == status


def test_the_activity_lists_every_save_newest_first(client, alice, history):
    client.force_login(alice)
    items = soup(client.get(url("history", history))).select(".activity li")
    assert ["v3" in li.get_text() and "eddie" in li.get_text() for li in items] == [True, False]


def test_the_section_history_offers_compare_and_restore_to_editors(client, alice, victor, history):
    client.force_login(alice)
    page = soup(client.get(url("section_history", history, "s0")))
    assert len(page.select(".history-table tbody tr")) == 2
    assert page.find("form", action=url("revision_restore", history, "s0", 2))
    client.force_login(victor)
    page = soup(client.get(url("section_history", history, "s0")))
    assert not page.find("form", action=url("revision_restore", history, "s0", 2))


def test_compare_highlights_lines(client, alice, history):
    client.force_login(alice)
    page = soup(client.get(url("revision_compare", history, "s0"), {"from": 2, "to": 3}))
    removed = [td.get_text() for td in page.select("tr.diff__removed .diff__text")]
    added = [td.get_text() for td in page.select("tr.diff__added .diff__text")]
    assert removed == ["removed:two"] and added == ["added:TWO", "added:three"]


def test_compare_without_versions_goes_back_to_the_history(client, alice, history):
    client.force_login(alice)
    response = client.get(url("revision_compare", history, "s0"), {"from": "x"})
    assert response.status_code == 302
    assert (
        client.get(url("revision_compare", history, "s0"), {"from": 2, "to": 9}).status_code == 404
    )


@pytest.mark.parametrize(
    ("name", "status"), [("carol", 404), ("victor", 403), ("bob", 403), ("eddie", 302)]
)
def test_restore_is_for_editors_and_owners(client, cast, history, name, status):
    client.force_login(cast[name])
    response = client.post(url("revision_restore", history, "s0", 2), {"base_version": 3})
    assert response.status_code == status
    section = history.sections.get(key="s0")
    if status == 302:
        assert (section.version, section.body_md) == (4, "one\ntwo")
    else:
        assert section.version == 3


def test_a_stale_restore_changes_nothing(client, alice, history):
    client.force_login(alice)
    response = client.post(url("revision_restore", history, "s0", 2), {"base_version": 2})
    assert response.status_code == 302
    assert history.sections.get(key="s0").version == 3
    assert Revision.objects.count() == 2
