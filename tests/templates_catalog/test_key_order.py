"""Field order survives the database: PostgreSQL's jsonb would sort object keys by length."""

import pytest
import yaml

from apps.templates_catalog.models import SectionSpec
from apps.templates_catalog.services import CANONICAL_FILE, TEMPLATES_DIR, templates_load_all

pytestmark = pytest.mark.django_db


def canonical_order(group: str) -> list[str]:
    canonical = yaml.safe_load(CANONICAL_FILE.read_text())
    return list(canonical["groups"][group]["properties"])


def test_section_schemas_keep_the_canonical_field_order():
    templates_load_all()
    spec = SectionSpec.objects.get(template__key="ml_system_design", key="ab_test")
    order = list(spec.field_schema["properties"]["ab_test"]["properties"])
    assert order == canonical_order("ab_test")
    assert order != sorted(order, key=lambda name: (len(name), name)), "a jsonb order would pass"


def test_group_order_follows_the_template_file():
    templates_load_all()
    spec = SectionSpec.objects.get(template__key="interview_45", key="clarify")
    data = yaml.safe_load((TEMPLATES_DIR / "interview_45.yaml").read_text())
    [clarify] = [s for s in data["sections"] if s["key"] == "clarify"]
    assert list(spec.field_schema["properties"]) == list(clarify["fields"])
