"""Every request the tests make that writes what the document page shows must move the page's
version (`Document.page_version`), or a reader would be served the page from before it.

The document page is cached per reader under that version (apps.documents.fragments.page).
`PAGE_TABLES` are the tables whose rows the page shows; `tests/documents/test_page_cache.py`
checks that the page reads no other table but those its cache key covers (`KEYED_TABLES`).
`watch_requests` wraps the test client, so every view and API test of the suite checks that a
request writing one of `PAGE_TABLES` also moves the version of a document, in its SQL.
"""

import re
from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.client import ClientHandler

PAGE_TABLES = frozenset(
    {
        "documents_document",
        "documents_section",
        "documents_revision",
        "checklists_checklistresult",
        "checklists_waiver",
        "reviews_thread",
        "reviews_comment",
        "reviews_reviewrequest",
        "reviews_reviewdecision",
        "reviews_signedversion",
    }
)
# Tables the page reads whose changes its cache key shows without a version: why, for each.
KEYED_TABLES = {
    "django_session": "the reader: their id and username are in the key",
    "auth_user": "the reader is in the key; others show by username, which is not changed",
    "accounts_membership": "the reader's role in the team is in the key",
    "accounts_team": "the team's name is in the key",
    "templates_catalog_designtemplate": "its loaded_at is in the key (moves with translations)",
    "templates_catalog_sectionspec": "a template version's specs never change",
    "notifications_notification": "the reader's unread count is in the key",
}

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class _Writes:
    """The statements of one request that write the page's tables, and whether it moved a
    document's version, or created or deleted a document (a new page has nothing cached)."""

    def __init__(self) -> None:
        self.unversioned: list[str] = []
        self.moved = False
        self.created_or_deleted = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql)
        # A write that changed no row (a compare-and-set that lost) changes no page.
        if match and match.group(2) in PAGE_TABLES and context["cursor"].rowcount:
            verb = match.group(1).split()[0].upper()
            if match.group(2) != "documents_document" or verb == "UPDATE":
                assignments = sql.split(" WHERE ")[0]
                if verb == "UPDATE" and '"page_version" =' in assignments:
                    self.moved = True
                else:
                    self.unversioned.append(sql[:160])
            else:
                self.created_or_deleted = True
        return result


@pytest.fixture(autouse=True)
def watch_requests(monkeypatch):
    """Fail any test client request that writes a page's tables without moving its version."""
    handle = ClientHandler.__call__

    def watched(self, environ):
        writes = _Writes()
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=True):
                stack.enter_context(connection.execute_wrapper(writes))
            response = handle(self, environ)
        if writes.unversioned and not (writes.moved or writes.created_or_deleted):
            pytest.fail(
                f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} wrote what the document "
                "page shows without moving Document.page_version (Document.objects.filter(...)"
                ".mark_changed()):\n  " + "\n  ".join(writes.unversioned)
            )
        return response

    monkeypatch.setattr(ClientHandler, "__call__", watched)
