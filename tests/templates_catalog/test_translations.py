"""The fixtures' text in Russian and Chinese: every translatable string of every fixture is
translated, in the source's shape; loading keeps it per template version without a new version."""

import pytest
import yaml
from django.utils import translation

from apps.documents.fields import display_blocks
from apps.templates_catalog import i18n
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import templates_load_all

FIXTURES = [
    "templates/ml_system_design.yaml",
    "templates/interview_45.yaml",
    "templates/course_hw.yaml",
    "canonical_fields.yaml",
    "reviews/rubric.yaml",
]
LANGUAGES = ["ru", "zh-hans"]


def untranslated(source, translation_, where=""):
    """Where `translation_` lacks a string of `source` or departs from its shape."""
    if isinstance(source, dict):
        if not isinstance(translation_, dict) or set(source) != set(translation_):
            return [f"{where}: keys {sorted(set(source) ^ set(translation_ or {}))}"]
        return [p for k in source for p in untranslated(source[k], translation_[k], f"{where}.{k}")]
    if isinstance(source, list):
        if not isinstance(translation_, list) or len(source) != len(translation_):
            return [f"{where}: expected {len(source)} entries"]
        return [
            p
            for i, (s, t) in enumerate(zip(source, translation_, strict=True))
            for p in untranslated(s, t, f"{where}[{i}]")
        ]
    if not isinstance(translation_, str) or not translation_.strip():
        return [f"{where}: missing"]
    return []


def test_every_fixture_is_the_shape_the_translation_files_are_compared_with():
    assert i18n.other_languages() == LANGUAGES
    for relative in FIXTURES:
        assert (i18n.FIXTURES_DIR / relative).exists(), relative


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("relative", FIXTURES)
def test_every_string_of_a_fixture_has_a_translation(relative, language):
    source = yaml.safe_load((i18n.FIXTURES_DIR / relative).read_text(encoding="utf-8"))
    translated = i18n.translation_of(relative, language)
    assert translated is not None, f"no {i18n.translation_path(relative, language)}"
    problems = untranslated(i18n.translatable(source), translated)
    assert not problems, f"{relative} in {language}: {problems[:5]}"


def test_the_checker_notices_a_missing_or_empty_string():
    source = {"title": "A", "sections": [{"title": "B", "guiding_questions": ["C", "D"]}]}
    assert untranslated(source, {"title": "А", "sections": [{"title": "Б"}]})
    blank = {"title": " ", "sections": [{"title": "Б", "guiding_questions": ["В", "Г"]}]}
    assert untranslated(source, blank)
    assert not untranslated(
        source, {"title": "А", "sections": [{"title": "Б", "guiding_questions": ["В", "Г"]}]}
    )


def test_overlay_takes_the_strings_and_keeps_everything_else():
    source = {"key": "k", "title": "A", "sections": [{"key": "s", "title": "B", "n": 3}]}
    translated = i18n.overlay(source, {"title": "А", "sections": [{"title": "Б"}]})
    assert translated == {
        "key": "k",
        "title": "А",
        "sections": [{"key": "s", "title": "Б", "n": 3}],
    }
    # A translation of another shape changes nothing rather than misplacing text.
    assert i18n.overlay(source, {"sections": [{}, {"title": "X"}]}) == source


@pytest.mark.django_db
def test_loaded_templates_speak_the_active_language():
    templates_load_all()
    template = DesignTemplate.objects.get(key="interview_45", is_latest=True)
    spec = template.sections.get(key="clarify")
    assert template.local_title == "Interview practice (45 min)"
    with translation.override("ru"):
        assert template.local_title == "Тренировка собеседования (45 мин)"
        assert spec.local_purpose and spec.local_purpose != spec.purpose
        drills = template.local_meta["follow_up_drills"]
        assert (
            len(drills) == len(template.meta["follow_up_drills"])
            and drills[0] != (template.meta["follow_up_drills"][0])
        )
        assert template.local_meta["total_minutes"] == template.meta["total_minutes"]
    with translation.override("zh-hans"):
        assert template.local_title == "面试练习（45 分钟）"
    with translation.override("ru"):
        russian = spec.local_title
    assert spec.titles() == {spec.title, russian, spec.translations["zh-hans"]["title"]}
    assert len(spec.titles()) == 3


@pytest.mark.django_db
def test_a_better_translation_reaches_loaded_versions_without_a_new_version(monkeypatch):
    templates_load_all()
    spec = SectionSpec.objects.get(template__key="ml_system_design", key="problem")
    spec.translations = {}
    spec.save(update_fields=["translations"])
    results = templates_load_all()
    assert not any(r.created for r in results)
    spec.refresh_from_db()
    with translation.override("ru"):
        assert spec.local_title == "Постановка бизнес-задачи"
    assert DesignTemplate.objects.filter(key="ml_system_design").count() == 1


def _enum_values(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            found.update(v for v in node["enum"] if isinstance(v, str))
        for value in node.values():
            _enum_values(value, found)
    elif isinstance(node, list):
        for value in node:
            _enum_values(value, found)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_enum_value_of_the_field_model_has_a_label(language):
    canonical = yaml.safe_load((i18n.FIXTURES_DIR / "canonical_fields.yaml").read_text("utf-8"))
    values = _enum_values(canonical, set())
    labels = i18n.translation_of("enums.yaml", language) or {}
    assert values - set(labels) == set(), f"no {language} label"
    assert set(labels) - values == set(), "labels of values the field model does not have"
    assert all(isinstance(label, str) and label.strip() for label in labels.values())


@pytest.mark.django_db
def test_enum_values_read_as_labels_in_the_field_tables_and_the_editor():
    templates_load_all()
    spec = SectionSpec.objects.get(template__key="ml_system_design", key="model")
    data = {"model": {"task_type": "binary_classification"}}
    english = display_blocks(spec.local_schema, data)[0]["items"][0][1]
    with translation.override("ru"):
        task = spec.local_schema["properties"]["model"]["properties"]["task_type"]
        russian = display_blocks(spec.local_schema, data)[0]["items"][0][1]
    assert english == "binary_classification"
    assert task["x-enum-labels"]["binary_classification"] == russian != english
    assert "x-enum-labels" not in str(spec.field_schema)  # validation reads the source schema
