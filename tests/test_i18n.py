"""The interface in English, Russian and Chinese: complete catalogues, pages in each language,
the switcher."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse

from tests.conftest import BASE_DIR
from tests.factories import make_document

TRANSLATED = {"ru": "ru", "zh-hans": "zh_Hans"}
_STRING = re.compile(r'^(?:msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$|^"(.*)"$')


def read_po(path: Path) -> dict[str, dict]:
    """msgid -> {"strs": [msgstr...], "fuzzy": bool}; a small reader for the files we write."""
    entries: dict[str, dict] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current, parts = None, {}
        for line in lines:
            if line.startswith("#"):
                continue
            key = line.split(" ", 1)[0] if not line.startswith('"') else current
            match = _STRING.match(line)
            if match is None:
                continue
            current = key
            parts[key] = parts.get(key, "") + (match.group(1) or match.group(2) or "")
        if parts.get("msgid"):
            strs = [v for k, v in parts.items() if k.startswith("msgstr")]
            entries[parts["msgid"]] = {"strs": strs, "fuzzy": fuzzy}
    return entries


def catalogue(lang: str) -> dict[str, dict]:
    return read_po(BASE_DIR / "locale" / TRANSLATED[lang] / "LC_MESSAGES" / "django.po")


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set[str]:
    """Every msgid of the code and templates as they are now, extracted by makemessages."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (GNU gettext) is needed: make sysdeps installs it")
    copy = tmp_path_factory.mktemp("source")
    for name in ("apps", "templates", "mlsd_portal", "manage.py"):
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "-v", "0"],
        cwd=copy,
        check=True,
    )
    return set(read_po(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_msgid_of_the_code_has_a_translation(source_msgids, lang):
    entries = catalogue(lang)
    missing = sorted(source_msgids - set(entries))
    assert not missing, f"{len(missing)} msgids are not in the {lang} catalogue: {missing[:5]}"
    untranslated = sorted(
        msgid
        for msgid in source_msgids
        if entries[msgid]["fuzzy"] or not all(s.strip() for s in entries[msgid]["strs"])
    )
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated[:5]}"


def test_the_catalogue_reader_sees_an_untranslated_or_fuzzy_entry(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "A"\nmsgstr "Б"\n\n#, fuzzy\nmsgid "B"\nmsgstr "В"\n\n'
        'msgid "C"\nmsgstr ""\n\nmsgid "D"\nmsgid_plural "Ds"\nmsgstr[0] "Г"\nmsgstr[1] ""\n'
    )
    entries = read_po(po)
    assert entries["A"] == {"strs": ["Б"], "fuzzy": False}
    assert entries["B"]["fuzzy"]
    assert entries["C"]["strs"] == [""]
    assert entries["D"]["strs"] == ["Г", ""]


def _nav(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select(".site-nav a")]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", *TRANSLATED])
def test_the_main_pages_render_in_each_language(client, alice, team_a, lang):
    document = make_document(team_a, alice)
    expected = "Examples" if lang == "en" else catalogue(lang)["Examples"]["strs"][0]
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=lang)
    assert home.status_code == 200 and expected in _nav(home)
    client.force_login(alice)
    pages = [
        reverse("documents:dashboard"),
        reverse("documents:detail", args=[document.pk]),
        reverse("templates_catalog:gallery"),
        reverse("library:list"),
        reverse("courses:list"),
        reverse("accounts:team_list"),
        reverse("accounts:settings"),
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.content.decode()
        assert expected in _nav(response), url


@pytest.mark.django_db
def test_the_switcher_keeps_the_chosen_language(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/library/"})
    assert response.status_code == 302 and response["Location"] == "/library/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get("/library/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="ru">' in page.content.decode()
    assert 'option value="ru" lang="ru" selected' in page.content.decode()
