"""A document's exports speak its language, whatever the interface of who asks: the PDF's
section titles, field labels, print chrome and text, set in embedded fonts that cover them."""

import io
import re
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pypdf import PdfReader

from apps.documents.services import document_create, document_update, section_save
from apps.exports import markdown_format, services, snapshot
from apps.exports.models import ExportJob
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all

pytestmark = pytest.mark.django_db

CASES = {
    "ru": {
        "title": "Прогноз оттока подписчиков",
        "goal": "Снизить добровольный отток подписчиков на пять процентов за квартал.",
        "section": "Постановка бизнес-задачи",
        "label": "Бизнес-цель",
        "chrome": "Черновик",
    },
    "zh-hans": {
        "title": "订阅用户流失预测",
        "goal": "在一个季度内将订阅用户的主动流失率降低百分之五。",
        "section": "业务目标与问题定义",
        "label": "业务目标",
        "chrome": "草稿",
    },
}


def _document(team, author, language):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    case = CASES[language]
    document = document_create(
        team=team, template=template, title=case["title"], created_by=author, language=language
    )
    section = document.sections.select_related("spec", "document").get(key="problem")
    section_save(
        section=section,
        body_md=case["goal"],
        data={"problem": {"business_goal": case["goal"]}},
        author=author,
    )
    return document


def _unicode_of_embedded_fonts(reader: PdfReader) -> set[str]:
    """Every character an embedded font of the PDF maps a glyph to (its ToUnicode CMap)."""
    covered: set[str] = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts", [font])[0].get_object()
            descriptor = descendant.get("/FontDescriptor", {})
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for _glyph, code in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    covered.add(bytes.fromhex(code).decode("utf-16-be"))
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, first in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    start = ord(bytes.fromhex(first).decode("utf-16-be")[0])
                    count = int(high, 16) - int(low, 16) + 1
                    covered |= {chr(start + i) for i in range(count)}
    return covered


@pytest.mark.parametrize("language", CASES)
def test_the_pdf_is_in_the_documents_language_with_a_font_that_covers_it(
    language, team_a, alice, tmp_path
):
    document = _document(team_a, alice, language)
    case = CASES[language]
    with translation.override("en"):  # the person exporting reads English
        job = ExportJob(
            format="pdf", paper="a4", language=language, snapshot=snapshot.build(document)
        )
        content = services.render_bytes(job)
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in (case["title"], case["section"], case["label"], case["chrome"], case["goal"]):
        assert re.sub(r"\s+", "", expected) in flat, expected
    assert "Problem & business goal" not in text

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    embedded = [line.split()[0] for line in fonts.stdout.splitlines()[2:] if " yes " in line]
    family = "CJK" if language == "zh-hans" else "DejaVu"
    assert any(family in name for name in embedded), fonts.stdout
    needed = {c for c in case["goal"] + case["section"] if not c.isspace()}
    missing = needed - _unicode_of_embedded_fonts(PdfReader(io.BytesIO(content)))
    assert not missing, f"no embedded font maps {sorted(missing)}"


def test_the_same_content_in_another_language_is_another_export(team_a, alice, monkeypatch):
    monkeypatch.setattr("apps.exports.tasks.export_render_task.delay", lambda job_id: None)
    document = _document(team_a, alice, "ru")
    first = services.export_request(document=document, user=alice, format="pdf")
    assert first.language == "ru" and first.snapshot["language"] == "ru"
    assert services.export_request(document=document, user=alice, format="pdf").pk == first.pk
    document_update(document=document, language="zh-hans")
    other = services.export_request(document=document, user=alice, format="pdf")
    assert other.pk != first.pk and other.snapshot["sections"][0]["title"] == "业务目标与问题定义"


def test_a_markdown_export_names_its_language_and_imports_back_into_it(team_a, alice, eddie):
    document = _document(team_a, alice, "zh-hans")
    text = markdown_format.dump(snapshot.build(document))
    assert "language: zh-hans" in text and "## 业务目标与问题定义" in text
    again = services.document_import(team=team_a, user=eddie, text=text)
    assert again.language == "zh-hans"
    problem = again.sections.get(key="problem")
    assert problem.data["problem"]["business_goal"] == CASES["zh-hans"]["goal"]


def test_an_imported_file_in_an_unknown_language_is_refused_whole(team_a, alice):
    templates_load_all()
    text = (
        "---\ntemplate: ml_system_design\ntitle: Klingon\nlanguage: tlh\n---\n"
        "## problem\n\nQapla'.\n"
    )
    before = team_a.documents.count()
    with pytest.raises(ValidationError) as refused:
        services.document_import(team=team_a, user=alice, text=text)
    assert "language" in refused.value.message_dict
    assert team_a.documents.count() == before
