"""Private documents (course submissions): only their person and the team's owners see them."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from apps.accounts.permissions import (
    can_view_document,
    document_readers,
    get_document_for_user,
    get_export_for_user,
)
from apps.documents.models import Document
from apps.documents.services import document_create
from apps.exports.services import export_request
from apps.notifications.models import Notification
from apps.reviews import services as reviews
from tests.factories import make_template


@pytest.fixture
def private_doc(team_a, eddie):
    """Eddie's private document on team A (alice owns the team)."""
    return document_create(
        team=team_a,
        template=make_template(),
        title="Eddie's homework",
        created_by=eddie,
        private_to=eddie,
    )


@pytest.mark.django_db
def test_private_document_is_seen_by_its_person_and_the_team_owner_only(
    private_doc, alice, bob, eddie, victor, carol
):
    for user in (eddie, alice):
        assert can_view_document(user, private_doc)
        assert get_document_for_user(user, private_doc.pk) == private_doc
        assert Document.objects.visible_to(user).filter(pk=private_doc.pk).exists()
    for user in (bob, victor, carol):
        assert not can_view_document(user, private_doc)
        with pytest.raises(Http404):
            get_document_for_user(user, private_doc.pk)
        assert not Document.objects.visible_to(user).filter(pk=private_doc.pk).exists()
    assert set(document_readers(private_doc)) == {alice, eddie}


@pytest.mark.django_db
def test_teammates_get_404_on_the_page_and_the_api_of_a_private_document(client, private_doc, bob):
    client.force_login(bob)
    assert client.get(reverse("documents:detail", args=[private_doc.pk])).status_code == 404
    assert client.get(f"/api/v1/documents/{private_doc.pk}/").status_code == 404
    listed = client.get("/api/v1/documents/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert str(private_doc.pk) not in {row["id"] for row in rows}


@pytest.mark.django_db
def test_an_export_of_a_private_document_is_404_for_teammates(private_doc, eddie, bob):
    job = export_request(document=private_doc, user=eddie, format="markdown")
    assert get_export_for_user(eddie, job.pk) == job
    with pytest.raises(Http404):
        get_export_for_user(bob, job.pk)


@pytest.mark.django_db
def test_mentions_and_review_requests_of_a_private_document_reach_readers_only(
    private_doc, alice, bob, eddie
):
    reviews.thread_open(
        document=private_doc, author=eddie, section_key="s0", body_md="@bob @alice have a look"
    )
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"alice"}
    with pytest.raises(ValidationError) as refused:
        reviews.review_request(document=private_doc, requested_by=eddie, usernames=["bob"])
    assert "bob" in str(refused.value)
    assert not private_doc.review_requests.exists()
