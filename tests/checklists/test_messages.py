"""Checklist messages read in the reader's language: every rule's wording is translated with
the same placeholders, and a stored finding is filled again in Russian or Chinese."""

from string import Formatter

import pytest
from django.urls import reverse
from django.utils import translation

from apps.checklists.messages import finding_message, localized, rule_message
from apps.checklists.rules.base import RULES
from apps.documents.services import section_save
from tests.checklists.test_rules import DELETE, changed, findings

LANGUAGES = ("ru", "zh-hans")


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec) for _, name, spec, _ in Formatter().parse(text) if name is not None}


WORDINGS = [
    (rule.id, wording)
    for rule in RULES.values()
    for wording in (rule.message, *rule.variants.values())
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("rule_id", "wording"), WORDINGS, ids=[w[0] for w in WORDINGS])
def test_every_rule_wording_is_translated_with_the_same_placeholders(rule_id, wording, language):
    with translation.override(language):
        translated = translation.gettext(wording)
    assert translated != wording, f"{rule_id} has no {language} wording"
    assert placeholders(translated) == placeholders(wording)


def test_a_finding_is_evaluated_in_english_and_read_in_each_language():
    data = changed(("metrics.items.3.dataset", "holdout"), ("data.split.splits", DELETE))
    finding = next(f for f in findings(data) if f.rule_id == "MET-03").as_dict()
    assert "no split declared yet" in finding["message"]
    assert finding["values"]["split_names"] == "no split declared yet"
    with translation.override("ru"):
        russian = finding_message(finding)
    with translation.override("zh-hans"):
        chinese = finding_message(finding)
    assert finding["values"]["name"] in russian and "no split" not in russian
    assert finding["values"]["name"] in chinese and "no split" not in chinese
    assert russian != chinese != finding["message"]
    with translation.override("en"):
        assert finding_message(finding) == finding["message"]


def test_a_finding_names_its_section_in_the_readers_language():
    finding = {
        "rule_id": "DOC-01",
        "section": "problem",
        "message": "Section 'Problem & business goal' is empty. …",
        "values": {"section": "Problem & business goal"},
    }
    with translation.override("ru"):
        message = finding_message(finding, {"problem": "Постановка бизнес-задачи"})
    assert "Постановка бизнес-задачи" in message and "Problem" not in message


def test_a_finding_stored_before_translation_keeps_its_message():
    stored = {"rule_id": "MOD-01", "section": "model", "message": "As it was stored."}
    with translation.override("ru"):
        assert localized([stored])[0]["message"] == "As it was stored."
        assert rule_message("MOD-01") == translation.gettext(RULES["MOD-01"].message)
        assert rule_message("XXX-99", "unknown") == "unknown"


@pytest.mark.django_db
def test_the_checklist_page_and_api_speak_the_readers_language(client, alice, doc):
    section = doc.sections.select_related("spec", "document").get(key="s0")
    section_save(section=section, body_md="", author=alice)
    client.force_login(alice)
    url = reverse("api:document-checklist", args=[doc.pk])
    english = client.get(url).json()
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()
    doc01 = [f for f in english["findings"] if f["rule_id"] == "DOC-01"]
    assert doc01, english["findings"]
    assert doc01[0]["message"].startswith("Section ")
    ru01 = [f for f in russian["findings"] if f["rule_id"] == "DOC-01"]
    assert ru01[0]["message"].startswith("Раздел «Section 0» пуст")
    page = client.get(reverse("checklists:panel", args=[doc.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    assert ru01[0]["message"] in page.content.decode()
