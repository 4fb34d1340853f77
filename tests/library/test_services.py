"""Loading the library from its files, and cloning an example into a team."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.documents.models import Document
from apps.documents.services import section_save
from apps.library.models import Example
from apps.library.services import example_clone, examples_load
from tests.library.conftest import CTR


@pytest.fixture
def folder(tmp_path):
    """A library folder holding only the CTR example."""
    (tmp_path / "ctr-ads.md").write_text(CTR.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
def test_loading_twice_creates_once_and_then_changes_nothing(templates, folder):
    assert [(r.slug, r.state) for r in examples_load(directory=folder)] == [("ctr-ads", "created")]
    before = Example.objects.get()
    assert [(r.slug, r.state) for r in examples_load(directory=folder)] == [
        ("ctr-ads", "unchanged")
    ]
    after = Example.objects.get()
    assert after.loaded_at == before.loaded_at
    assert after.task_type == "binary_classification"
    assert after.serving_mode == "online"
    assert after.domain == "Ads"
    assert after.passed_count > 30


@pytest.mark.django_db
def test_a_changed_file_updates_its_example_and_a_removed_one_is_unpublished(templates, folder):
    examples_load(directory=folder)
    path = folder / "ctr-ads.md"
    path.write_text(path.read_text().replace("title: ", "title: Revised — ", 1))
    assert [r.state for r in examples_load(directory=folder)] == ["updated"]
    assert Example.objects.get().title.startswith("Revised — ")
    path.unlink()
    assert [(r.slug, r.state) for r in examples_load(directory=folder)] == [
        ("ctr-ads", "unpublished")
    ]
    assert not Example.objects.published().exists()
    assert Example.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("template: ml_system_design", "template: nope"), "no template"),
        (lambda t: t.replace("## Metrics", "## Metricz"), "is not a section"),
        (lambda t: t.replace("kind: offline", "kind: sideways", 1), "kind: Choose one of"),
        # Without its offline metrics the example fails MET-03: a library example must be green.
        (lambda t: t.replace("kind: offline", "kind: guardrail"), "must pass the checklist"),
        (lambda t: t.replace("```yaml\nmetrics:", "```yaml\nmetrics: [", 1), "not valid YAML"),
    ],
    ids=["unknown-template", "unknown-section", "bad-enum", "checklist-error", "bad-yaml"],
)
def test_a_bad_file_is_refused_by_name_and_nothing_is_loaded(templates, folder, change, message):
    (folder / "zz-broken.md").write_text(
        change(CTR.read_text(encoding="utf-8")).replace("slug: ctr-ads", "slug: broken"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as refused:
        examples_load(directory=folder)
    assert "zz-broken.md" in str(refused.value)
    assert message in str(refused.value)
    assert not Example.objects.exists()


@pytest.mark.django_db
def test_two_files_with_one_slug_are_refused(templates, folder):
    (folder / "copy.md").write_text(CTR.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValidationError, match="used by another file"):
        examples_load(directory=folder)
    assert not Example.objects.exists()


@pytest.mark.django_db
def test_a_clone_is_a_draft_of_my_team_independent_of_its_example(templates, folder, team_a, alice):
    examples_load(directory=folder)
    example = Example.objects.get()
    document = example_clone(example=example, team=team_a, user=alice, title="My CTR design")
    assert document.team == team_a
    assert document.created_by == alice
    assert document.title == "My CTR design"
    assert document.status == Document.Status.DRAFT
    metrics = document.sections.select_related("spec", "document").get(key="metrics")
    assert metrics.data == next(s["data"] for s in example.sections if s["key"] == "metrics")
    section_save(section=metrics, body_md="Mine now.", data={}, author=alice)
    example.refresh_from_db()
    assert next(s for s in example.sections if s["key"] == "metrics")["data"]["metrics"]["items"]
    second = example_clone(example=example, team=team_a, user=alice)
    assert second.pk != document.pk
    assert second.title == example.title


@pytest.mark.django_db
def test_only_editors_and_owners_clone_into_a_team(templates, folder, team_a, bob, victor):
    examples_load(directory=folder)
    example = Example.objects.get()
    for user in (bob, victor):
        with pytest.raises(PermissionDenied):
            example_clone(example=example, team=team_a, user=user)
    assert not Document.objects.exists()
