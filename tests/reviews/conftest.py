"""Review tests start from a written document: its checklist has no errors, so sign-off
depends on the review alone unless a test says otherwise."""

import pytest

from apps.documents.services import section_save
from tests.factories import make_document


@pytest.fixture
def doc(team_a, alice):
    document = make_document(team_a, alice)
    for section in document.sections.select_related("spec", "document"):
        section_save(section=section, body_md=f"What {section.key} says.", author=alice)
    return document
