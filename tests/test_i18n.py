"""The product in English, Russian and Chinese: complete catalogues, pages in each language,
the switcher and the account's language, documents in a language of their own, localized
dates and numbers."""

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from apps.accounts.models import Profile
from apps.documents.fields import display_blocks
from apps.documents.models import Document
from apps.documents.services import document_create, section_save
from apps.templates_catalog.i18n import pick
from apps.templates_catalog.models import DesignTemplate, SectionSpec
from apps.templates_catalog.services import templates_load_all as load_templates
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
def test_the_switcher_keeps_an_anonymous_visitors_language_in_a_cookie(client):
    response = client.post(reverse("accounts:language"), {"language": "ru", "next": "/library/"})
    assert response.status_code == 302 and response["Location"] == "/library/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get("/library/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="ru">' in page.content.decode()
    assert 'option value="ru" lang="ru" selected' in page.content.decode()


@pytest.mark.django_db
def test_the_switcher_refuses_an_unknown_language_and_a_foreign_next(client):
    response = client.post(reverse("accounts:language"), {"language": "xx", "next": "/library/"})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    response = client.post(
        reverse("accounts:language"), {"language": "ru", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_signed_in_users_language_follows_their_account_to_a_new_browser(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/"})
    assert Profile.objects.get(user=alice).language == "zh-hans"

    elsewhere = Client()  # another browser: no cookie, and it asks for English
    elsewhere.force_login(alice)
    page = elsewhere.get(reverse("documents:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in page.content.decode()
    settings_page = elsewhere.get(reverse("accounts:settings"))
    assert 'value="zh-hans" selected' in settings_page.content.decode()


@pytest.mark.django_db
def test_going_back_to_the_browser_language_forgets_the_accounts_choice(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:language"), {"language": "ru", "next": "/"})
    client.post(reverse("accounts:language"), {"language": "", "next": "/"})
    assert Profile.objects.get(user=alice).language == ""
    page = client.get(reverse("documents:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="zh-hans">' in page.content.decode()


@pytest.mark.django_db
def test_a_reviewer_reads_a_russian_document_in_an_english_interface(client, alice, bob, team_a):
    load_templates()
    template = DesignTemplate.objects.get(key="ml_system_design", is_latest=True)
    document = document_create(
        team=team_a, template=template, title="Отток", created_by=alice, language="ru"
    )
    section = document.sections.select_related("spec", "document").get(key="problem")
    section_save(section=section, body_md="Снизить отток подписчиков.", author=alice)

    client.force_login(bob)
    page = client.get(reverse("documents:detail", args=[document.pk]))
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.html["lang"] == "en"
    assert "Problem & business goal" in soup.get_text()  # his interface: English
    prose = soup.select_one("#sec-problem .prose")
    assert prose["lang"] == "ru" and "Снизить отток" in prose.get_text()

    with translation.override("ru"):
        assert pick(template.translations)["title"] == "Дизайн ML-системы"
    bob_in_russian = client.get(
        reverse("documents:detail", args=[document.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Постановка бизнес-задачи" in bob_in_russian.content.decode()


@pytest.mark.django_db
def test_a_new_document_is_written_in_the_authors_interface_language(client, alice, team_a):
    load_templates()
    client.force_login(alice)
    client.post(reverse("accounts:language"), {"language": "ru", "next": "/"})
    form = client.get(reverse("documents:create"))
    assert 'value="ru" selected' in form.content.decode()
    response = client.post(
        reverse("documents:create"),
        {
            "team": team_a.pk,
            "template": "ml_system_design",
            "title": "Прогноз оттока",
            "summary": "",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    assert Document.objects.get(title="Прогноз оттока").language == "zh-hans"


@pytest.mark.django_db
def test_template_guidance_reads_in_each_language(client):
    load_templates()
    url = reverse("templates_catalog:detail", args=["ml_system_design"])
    expected = {
        "en": "Problem & business goal",
        "ru": "Постановка бизнес-задачи",
        "zh-hans": "业务目标与问题定义",
    }
    for lang, title in expected.items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert title in BeautifulSoup(page.content, "html.parser").get_text(), lang
    with translation.override("ru"):
        spec = SectionSpec.objects.get(template__key="ml_system_design", key="problem")
        assert spec.local_questions != spec.guiding_questions
        assert len(spec.local_questions) == len(spec.guiding_questions)
        assert (
            spec.local_schema["properties"]["problem"]["properties"]["business_goal"]["title"]
            == "Бизнес-цель"
        )


def test_dates_and_numbers_follow_the_language():
    moment = datetime(2026, 12, 6, tzinfo=UTC)
    schema = {"type": "number"}
    shown = {}
    for lang in ("en", "ru", "zh-hans"):
        with translation.override(lang):
            shown[lang] = (
                date_format(moment, "DATE_FORMAT"),
                display_blocks(
                    {"properties": {"g": {"properties": {"n": schema}}}}, {"g": {"n": 1234.5}}
                )[0]["items"][0][1],
            )
    assert shown["en"] == ("Dec. 6, 2026", "1,234.5")
    assert shown["ru"][0] == "6 декабря 2026 г." and shown["ru"][1] == "1\xa0234,5"
    assert "2026年12月6日" in shown["zh-hans"][0]
