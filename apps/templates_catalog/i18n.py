"""Translations of the fixtures' human text (templates, canonical fields, the rubric).

A fixture file `fixtures/<path>.yaml` is written in English; its translation into a language is
`fixtures/i18n/<locale>/<path>.yaml`, holding only the translatable strings of the source in the
same shape: the same mapping keys, lists of the same length (an entry with nothing to translate
is `{}`). `overlay()` lays a translation over the source, so every other value (keys, numbers,
enums, schemas) always comes from the English file and cannot drift.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import get_language, to_locale

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
I18N_DIR = FIXTURES_DIR / "i18n"
# Keys whose string (or list of strings) is human text; `scale` maps rubric scores to names.
TRANSLATABLE_KEYS = frozenset(
    {
        "title",
        "description",
        "audience",
        "purpose",
        "guiding_questions",
        "deliverable",
        "follow_up_drills",
        "anchors",
        "label",
        "scale",
    }
)


def _is_text(value: Any) -> bool:
    """A string, or a non-empty list or mapping of strings (guiding questions, a scale)."""
    if isinstance(value, str):
        return bool(value)
    values = value.values() if isinstance(value, dict) else value
    return (
        isinstance(value, list | dict) and bool(value) and all(isinstance(v, str) for v in values)
    )


def translatable(source: Any) -> Any:
    """The translatable strings of `source`, in its shape (what a translation file holds)."""
    if isinstance(source, dict):
        result = {}
        for key, value in source.items():
            if key in TRANSLATABLE_KEYS and _is_text(value):
                result[key] = value
            elif isinstance(value, dict | list):
                inner = translatable(value)
                if inner not in ({}, [], None):
                    result[key] = inner
        return result
    if isinstance(source, list):
        inner = [translatable(item) if isinstance(item, dict | list) else None for item in source]
        if all(item in ({}, [], None) for item in inner):
            return []
        return [{} if item is None else item for item in inner]
    return None


def overlay(source: Any, translation: Any) -> Any:
    """`source` with the strings of `translation` in place of the English ones."""
    if translation in (None, {}, []):
        return source
    if isinstance(source, dict) and isinstance(translation, dict):
        return {
            key: overlay(value, translation.get(key)) if key in translation else value
            for key, value in source.items()
        }
    if isinstance(source, list) and isinstance(translation, list):
        if len(source) != len(translation):
            return source
        return [overlay(s, t) for s, t in zip(source, translation, strict=True)]
    if isinstance(translation, type(source)) or (
        isinstance(source, str) and isinstance(translation, str)
    ):
        return translation
    return source


def with_enum_labels(schema: Any, labels: dict[str, str]) -> Any:
    """`schema` with `x-enum-labels` ({value: label}) beside every enum that `labels` names, for
    the editor's options and the field tables (`fixtures/i18n/<locale>/enums.yaml`)."""
    if isinstance(schema, list):
        return [with_enum_labels(item, labels) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: with_enum_labels(value, labels) for key, value in schema.items()}
    if isinstance(schema.get("enum"), list):
        named = {v: labels[v] for v in schema["enum"] if isinstance(v, str) and v in labels}
        if named:
            result["x-enum-labels"] = named
    return result


def locale_of(language: str | None) -> str:
    """The locale folder name of a language code: "zh-hans" -> "zh_Hans"."""
    return to_locale(language or settings.LANGUAGE_CODE)


def other_languages() -> list[str]:
    """The language codes that have translations (every enabled one but the source English)."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_path(relative: str, language: str) -> Path:
    return I18N_DIR / locale_of(language) / relative


@lru_cache(maxsize=64)
def translation_of(relative: str, language: str) -> Any:
    """The translation file of `fixtures/<relative>` into `language`, or None."""
    path = translation_path(relative, language)
    if language == settings.LANGUAGE_CODE or not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pick(translations: dict, language: str | None = None) -> dict:
    """The entry of a stored `{language: {...}}` map for `language` (default: the active one)."""
    return translations.get(language or get_language() or "", {}) if translations else {}
