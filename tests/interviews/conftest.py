"""Interview tests practise on a document made from the real interview_45 template (nine timed
blocks, 45 minutes). The cast is the suite's: alice (team A owner) writes it and is the
candidate, bob (reviewer) interviews, eddie edits, victor views, carol is on team B."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all
from tests.factories import make_document

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def interview_template(db):
    templates_load_all()
    return DesignTemplate.objects.get(key="interview_45", is_latest=True)


@pytest.fixture
def doc(team_a, alice, interview_template):
    return make_document(team_a, alice, template=interview_template, title="Feed ads CTR")


class Clock:
    """A controlled `timezone.now()`: starts at T0 and moves only when told."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, *, minutes: float = 0) -> datetime:
        self.now += timedelta(seconds=seconds, minutes=minutes)
        return self.now


@pytest.fixture
def clock():
    moving = Clock()
    with mock.patch("django.utils.timezone.now", moving):
        yield moving


def login(client, user):
    client.force_login(user)
    return client
