import pytest

from apps.library.models import Example
from apps.library.services import EXAMPLES_DIR, examples_load
from apps.templates_catalog.services import templates_load_all

CTR = EXAMPLES_DIR / "ctr-ads.md"


@pytest.fixture
def templates(db):
    templates_load_all()


@pytest.fixture
def library(templates):
    """Every example of fixtures/examples, loaded."""
    examples_load()


@pytest.fixture
def two_examples(templates, tmp_path):
    """The CTR example, and a copy of it posing as a batch churn example of another domain."""
    source = CTR.read_text(encoding="utf-8")
    (tmp_path / "ctr-ads.md").write_text(source, encoding="utf-8")
    churn = (
        source.replace("slug: ctr-ads", "slug: churn-copy")
        .replace("domain: Ads", "domain: Subscriptions")
        .replace("title: ", "title: Churn copy of ", 1)
    )
    (tmp_path / "churn-copy.md").write_text(churn, encoding="utf-8")
    examples_load(directory=tmp_path)
    # A facet of its own (the copy's fields still say online, which its checklist needs).
    Example.objects.filter(slug="churn-copy").update(serving_mode="batch")
    return Example.objects.get(slug="ctr-ads"), Example.objects.get(slug="churn-copy")
