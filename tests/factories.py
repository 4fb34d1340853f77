"""Plain factories for test setup (no JSON fixtures)."""

from django.contrib.auth import get_user_model

from apps.accounts.models import Membership, Team
from apps.documents.models import Document
from apps.documents.services import document_create
from apps.templates_catalog.models import DesignTemplate, SectionSpec

PASSWORD = "correct-horse-battery-staple"

User = get_user_model()


def make_user(username: str, *, email: str | None = None):
    return User.objects.create_user(
        username=username, email=email or f"{username}@example.com", password=PASSWORD
    )


def make_team(name: str = "Team A", members: dict | None = None) -> Team:
    """A team with `members`: {user: role}."""
    team = Team.objects.create(name=name)
    for user, role in (members or {}).items():
        Membership.objects.create(team=team, user=user, role=role)
    return team


def add_member(team: Team, user, role: str) -> Membership:
    return Membership.objects.create(team=team, user=user, role=role)


def make_template(key: str = "tiny", *, sections: int = 3, version: int = 1) -> DesignTemplate:
    """A small template with `sections` Markdown-only sections (s0, s1, ...)."""
    template = DesignTemplate.objects.create(
        key=key, version=version, title=f"Template {key}", content_hash=f"{key}-{version}"
    )
    SectionSpec.objects.bulk_create(
        SectionSpec(
            template=template,
            key=f"s{i}",
            position=i,
            title=f"Section {i}",
            purpose=f"Purpose of section {i}.",
            guiding_questions=[f"Question {i}.1?", f"Question {i}.2?"],
            field_schema={"type": "object"},
        )
        for i in range(sections)
    )
    return template


def make_document(team: Team, author, *, template=None, title="CTR prediction") -> Document:
    return document_create(
        team=team, template=template or make_template(), title=title, created_by=author
    )
