"""The document page read from the cache is the page a fresh render gives: after every kind of
change to what it shows, for each reader, with the reader's own CSRF token and messages."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Membership
from apps.accounts.services import membership_change_role, membership_remove
from apps.checklists.services import checklist_refresh, waiver_create, waiver_remove
from apps.documents import fragments
from apps.documents.models import Document, document_content_hash
from apps.documents.selectors import document_sections
from apps.documents.services import document_archive, document_update, section_save
from apps.notifications.services import notify
from apps.reviews.models import Thread
from apps.reviews.services import (
    comment_add,
    comment_delete,
    comment_edit,
    review_decide,
    review_request,
    review_withdraw,
    thread_open,
    thread_reopen,
    thread_resolve,
)
from tests.page_version import KEYED_TABLES, PAGE_TABLES

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def page(client: Client, document: Document) -> str:
    response = client.get(reverse("documents:detail", args=[document.id]))
    assert response.status_code == 200
    return TOKEN.sub(r'\1…"', response.content.decode())


def fresh(client: Client, document: Document) -> str:
    cache.clear()
    return page(client, document)


def _thread(w):
    return thread_open(document=w["doc"], author=w["bob"], section_key="s0", body_md="Why 7 days?")


def _resolved(w):
    thread = _thread(w)
    thread_resolve(thread=thread, user=w["bob"])
    return thread


def _requested(w):
    return review_request(document=w["doc"], requested_by=w["alice"], usernames=["bob"])[0]


def _waived(w):
    # An emptied section is a finding (DOC-01) to waive.
    section_save(section=w["doc"].sections.get(key="s2"), body_md="", author=w["alice"])
    finding = checklist_refresh(document=w["doc"]).findings[0]
    return waiver_create(
        document=w["doc"],
        user=w["alice"],
        rule_id=finding["rule_id"],
        section=finding["section"],
        reason="Covered in the appendix.",
    )


def _approve(w):
    _requested(w)
    sections = list(document_sections(w["doc"]))
    review_decide(
        document=w["doc"],
        reviewer=w["bob"],
        kind="approve",
        content_hash=document_content_hash(sections),
    )


CHANGES = {
    "a section is saved": (
        None,
        lambda w, _: section_save(
            section=w["doc"].sections.get(key="s1"), body_md="Newer words.", author=w["eddie"]
        ),
    ),
    "the title changes": (None, lambda w, _: document_update(document=w["doc"], title="Renamed")),
    "the document is archived": (None, lambda w, _: document_archive(document=w["doc"])),
    "a thread is opened": (None, lambda w, _: _thread(w)),
    "a reply is posted": (
        _thread,
        lambda w, t: comment_add(thread=t, author=w["eddie"], body_md="Ok."),
    ),
    "a comment is edited": (
        _thread,
        lambda w, t: comment_edit(comment=t.comments.get(), user=w["bob"], body_md="Why 14 days?"),
    ),
    "a comment is deleted": (
        _thread,
        lambda w, t: comment_delete(comment=t.comments.get(), user=w["bob"]),
    ),
    "a thread is resolved": (_thread, lambda w, t: thread_resolve(thread=t, user=w["bob"])),
    "a thread is reopened": (_resolved, lambda w, t: thread_reopen(thread=t, user=w["bob"])),
    "a review is requested": (None, lambda w, _: _requested(w)),
    "a review request is withdrawn": (
        _requested,
        lambda w, r: review_withdraw(request=r, user=w["alice"]),
    ),
    "the reviewer approves and it is signed off": (None, lambda w, _: _approve(w)),
    "a finding is waived": (None, lambda w, _: _waived(w)),
    "a waiver is withdrawn": (_waived, lambda w, v: waiver_remove(waiver=v, user=w["alice"])),
    "the reviewer leaves the team": (
        _requested,
        lambda w, _: membership_remove(membership=Membership.objects.get(user=w["bob"])),
    ),
    "the reader's role changes": (
        None,
        lambda w, _: membership_change_role(
            membership=Membership.objects.get(user=w["victor"]), role="editor"
        ),
    ),
    "the reader gets a notification": (
        None,
        lambda w, _: notify(
            recipients=[w["victor"]], kind="mention", actor=w["bob"], text="Look", url="/"
        ),
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_after_each_change_the_cached_page_is_the_fresh_page(client, cast, written_doc, change):
    world = {**cast, "doc": written_doc}
    prepare, apply = CHANGES[change]
    before = prepare(world) if prepare else None
    client.force_login(cast["victor"])
    shown = page(client, written_doc)
    assert page(client, written_doc) == shown  # now in the cache
    apply(world, before)
    written_doc.refresh_from_db()
    cached = page(client, written_doc)
    assert cached != shown, "the change shows on the page"
    assert cached == fresh(client, written_doc)


def test_the_page_reads_only_what_its_version_or_key_covers(client, cast, written_doc):
    """A table the page starts to read must join PAGE_TABLES (its writes move the version) or
    KEYED_TABLES (the key shows its changes), or cached pages would miss its changes."""
    world = {**cast, "doc": written_doc}
    _resolved(world)
    _thread(world)
    _waived(world)
    _approve(world)
    client.force_login(cast["bob"])
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page(client, written_doc)
    tables = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])
    }
    assert {"reviews_comment", "reviews_reviewdecision", "checklists_checklistresult"} <= tables
    assert tables - PAGE_TABLES - set(KEYED_TABLES) == set()


def test_a_page_from_the_cache_costs_four_queries(
    client, cast, written_doc, django_assert_num_queries
):
    client.force_login(cast["alice"])
    page(client, written_doc)
    # session, user, the document with the reader's role, the unread count
    with django_assert_num_queries(4):
        page(client, written_doc)


def test_each_reader_has_their_own_page(client, cast, written_doc):
    """One reader's page, cached, never reaches another: edit controls, the decision form."""
    review_request(document=written_doc, requested_by=cast["alice"], usernames=["bob"])
    edit = reverse("documents:edit", args=[written_doc.id])
    for user, may_edit in (("alice", True), ("victor", False), ("eddie", True), ("bob", False)):
        client.force_login(cast[user])
        html = page(client, written_doc)
        assert (edit in html) is may_edit, user
        assert ('name="content_hash"' in html) is (user == "bob"), user


def test_a_cached_page_carries_each_sessions_own_working_csrf_token(cast, written_doc):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for client in (first, second):
        client.force_login(cast["alice"])
        response = client.get(reverse("documents:detail", args=[written_doc.id]))
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text))
        assert len(found) == 1
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]
    response = second.post(
        reverse("reviews:thread_new", args=[written_doc.id]),
        {"csrfmiddlewaretoken": tokens[1], "section": "s0", "kind": "question", "body": "Hm?"},
    )
    assert response.status_code == 302
    assert Thread.objects.filter(document=written_doc).count() == 1


def test_a_message_shows_once_on_its_own_response(
    client, cast, written_doc, django_assert_num_queries
):
    client.force_login(cast["alice"])
    page(client, written_doc)
    response = client.post(
        reverse("documents:edit", args=[written_doc.id]),
        {"title": "Renamed", "summary": "", "language": "en"},
        follow=True,
    )
    assert "Saved." in response.content.decode()
    with django_assert_num_queries(4):  # the page after the redirect was kept, without it
        again = page(client, written_doc)
    assert "Saved." not in again and "Renamed" in again


def test_no_page_ever_shows_a_placeholder(client, cast, written_doc):
    client.force_login(cast["alice"])
    for _ in range(2):  # rendered, then from the cache
        response = client.get(reverse("documents:detail", args=[written_doc.id]))
        for name in ("csrf-token", "messages"):
            assert fragments._placeholder(name) not in response.text
