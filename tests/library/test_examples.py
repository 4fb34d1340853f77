"""The worked examples themselves (content spec §3): one per topic of §3.1, each complete,
green on the checklist, stable through a Markdown round trip and renderable to PDF."""

import io

import pytest
from pypdf import PdfReader

from apps.checklists import engine
from apps.checklists import snapshot as checklist_snapshot
from apps.documents.models import Document
from apps.documents.selectors import document_sections
from apps.exports import markdown_format, pdf
from apps.exports import snapshot as export_snapshot
from apps.library.models import Example
from apps.library.services import EXAMPLES_DIR, example_clone, examples_load

# §3.1: the eight topics of the library.
TOPICS = {
    "ctr-ads",
    "feed-ranking",
    "churn",
    "search-ranking",
    "fraud",
    "ml-monitoring",
    "ecom-recs-coldstart",
    "mt-many-languages",
}
FILES = sorted(EXAMPLES_DIR.glob("*.md"))


@pytest.fixture
def load(templates, tmp_path):
    """`load(path)`: that one example, loaded as `load_library` loads it."""

    def load_one(path):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        examples_load(directory=tmp_path)
        return Example.objects.get(slug=path.stem)

    return load_one


@pytest.mark.django_db
def test_the_library_has_one_example_per_topic_of_the_catalog_and_loads_whole(library):
    assert {path.stem for path in FILES} >= TOPICS
    assert set(Example.objects.published().values_list("slug", flat=True)) == {
        path.stem for path in FILES
    }
    assert len(set(Example.objects.values_list("domain", flat=True))) == len(TOPICS)


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_an_example_fills_every_section_and_passes_the_checklist_as_a_document(
    path, load, team_a, alice
):
    example = load(path)
    document = example_clone(example=example, team=team_a, user=alice)
    document = Document.objects.select_related("template").get(pk=document.pk)
    sections = list(document_sections(document))
    assert [s for s in sections if s.is_empty] == []
    findings = engine.run_checklist(checklist_snapshot.from_document(document, sections))
    assert [(f.rule_id, f.severity, f.message) for f in findings if f.severity != "info"] == []
    assert example.error_count == example.warning_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_an_example_survives_a_markdown_export_and_import_unchanged(path, load, team_a, alice):
    example = load(path)
    original = markdown_format.parse(path.read_text(encoding="utf-8"))
    document = example_clone(example=example, team=team_a, user=alice)
    exported = markdown_format.dump(export_snapshot.build(document))
    again = markdown_format.parse(exported)
    assert [(h, f, b.strip()) for h, f, b in again.sections] == [
        (h, f, b.strip()) for h, f, b in original.sections if f or b.strip()
    ]
    assert again.meta["title"] == original.meta["title"]
    assert again.meta.get("summary", "") == original.meta.get("summary", "")


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_an_example_renders_to_a_pdf_with_its_title_and_sections(path, load, team_a, alice):
    example = load(path)
    document = example_clone(example=example, team=team_a, user=alice)
    snap = export_snapshot.build(document)
    reader = PdfReader(io.BytesIO(pdf.render_pdf(snap)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert " ".join(example.title.split()[:4]) in text
    for section in snap["sections"]:
        assert section["title"] in text
    assert len(reader.pages) >= 8
