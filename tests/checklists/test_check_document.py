"""`manage.py check_document` for docs-as-code: findings printed, non-zero exit on errors."""

import io
import uuid
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from apps.documents.services import document_create
from apps.templates_catalog.models import DesignTemplate
from apps.templates_catalog.services import templates_load_all

APPENDIX_A = Path(__file__).with_name("appendix_a.yaml")


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_document", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_the_worked_example_passes_with_no_findings(db):
    code, out = run(str(APPENDIX_A))
    assert code == 0
    assert out.strip().splitlines()[-1] == "0 error(s), 0 warning(s), 0 finding(s)"


def test_a_broken_file_prints_the_rule_and_exits_one(db, tmp_path):
    data = yaml.safe_load(APPENDIX_A.read_text())
    data["problem"]["business_goal"] = "Money."
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(data))
    code, out = run(str(path))
    assert code == 1
    assert "ERROR   PRB-01 [problem] problem.business_goal" in out


def test_a_stored_document_is_checked_by_id(team_a, alice):
    templates_load_all()
    template = DesignTemplate.objects.get(key="ml_system_design")
    document = document_create(team=team_a, template=template, title="Empty", created_by=alice)
    code, out = run(str(document.pk))
    assert code == 1
    assert "ERROR   DOC-01 [problem]" in out


def as_markdown(data: dict) -> str:
    """The worked example in the document Markdown format, one section per template section."""
    titles = {
        "problem": "Problem & business goal", "requirements": "Requirements & constraints",
        "metrics": "Metrics", "entities": "Entities & features", "data": "Data",
        "baseline": "baseline", "model": "Model", "serving": "serving",
        "monitoring": "monitoring", "ab_test": "ab_test", "risks": "risks",
    }  # fmt: skip
    parts = ["---\ntemplate: ml_system_design\ntitle: CTR\n---\n"]
    for group, title in titles.items():
        block = yaml.safe_dump({group: data[group]}, allow_unicode=True, sort_keys=False)
        parts.append(f"## {title}\n\n```yaml\n{block}```\n\nNotes on {group}.\n")
    return "\n".join(parts)


def test_a_markdown_document_is_checked_too(db, tmp_path):
    data = yaml.safe_load(APPENDIX_A.read_text())
    path = tmp_path / "design.md"
    path.write_text(as_markdown(data))
    code, out = run(str(path))
    assert (code, out.strip().splitlines()[-1]) == (0, "0 error(s), 0 warning(s), 0 finding(s)")
    data["metrics"]["items"] = [m for m in data["metrics"]["items"] if m["kind"] != "offline"]
    path.write_text(as_markdown(data))
    code, out = run(str(path))
    assert code == 1 and "MET-01" in out


def test_a_markdown_heading_that_is_no_section_is_a_clear_error(db, tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("## Something else\n\ntext\n")
    with pytest.raises(CommandError, match="Something else"):
        run(str(path))


@pytest.mark.parametrize("target", ["nope", str(uuid.uuid4()), "missing.yaml", "missing.md"])
def test_an_unknown_target_is_a_clear_error(db, target):
    with pytest.raises(CommandError):
        run(target)
