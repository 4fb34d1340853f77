"""/tools/ab/: the public calculator page, computed by the server from the query string."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

URL = reverse("checklists:ab_tool")


def soup(response):
    return BeautifulSoup(response.content, "html5lib")


def numbers(page) -> list[str]:
    return [strong.get_text() for strong in page.select("#ab-results .ab-numbers strong")]


def field_errors(page, name: str) -> str:
    node = page.select_one(f"#id_{name}_error")
    return node.get_text(" ", strip=True) if node else ""


def assert_no_nan(page) -> None:
    words = page.get_text(" ").lower().split()
    assert "nan" not in words and "inf" not in words and "infinity" not in words


@pytest.mark.parametrize("name", [None, "alice", "carol"])
def test_the_page_opens_for_anyone_with_example_a_computed(client, cast, name):
    if name:
        client.force_login(cast[name])
    response = client.get(URL)
    assert response.status_code == 200
    page = soup(response)
    assert numbers(page) == ["31,231", "31,231", "62,462", "7"]
    assert "7.84888 · 0.099475 / 0.000025" in page.select_one(".ab-formula").get_text()


def test_the_defaults_are_example_a_in_the_units_people_type(client, db):
    page = soup(client.get(URL))
    values = {
        name: page.select_one(f"#id_{name}").get("value")
        for name in ["baseline_rate", "mde_value", "alpha", "power", "allocation_control",
                     "allocation_treatment", "daily_eligible_units"]
    }  # fmt: skip
    assert values == {"baseline_rate": "5", "mde_value": "10", "alpha": "0.05", "power": "0.8",
                      "allocation_control": "50", "allocation_treatment": "50",
                      "daily_eligible_units": "10000"}  # fmt: skip
    assert page.select_one("#id_sides option[selected]")["value"] == "2"
    assert page.select_one("#id_mde_type option[selected]")["value"] == "relative"


def test_every_input_is_explained(client, db):
    page = soup(client.get(URL))
    fields = page.select("#ab-form .field")
    assert len(fields) == 15
    assert all(field.select_one(".field__help") for field in fields)


def test_the_page_computes_from_the_query_string(client, db):
    response = client.get(URL, {
        "metric_type": "proportion", "baseline_rate": 5, "mde_value": 10, "mde_type": "relative",
        "direction": "increase", "alpha": 0.05, "power": 0.8, "sides": 2,
        "allocation_control": 70, "allocation_treatment": 30, "method": "unpooled",
        "daily_eligible_units": 10000,
    })  # fmt: skip
    assert numbers(soup(response)) == ["52,988", "22,710", "75,698", "8"]


def test_a_link_may_carry_only_the_inputs_that_differ(client, db):
    # P2: 10% baseline, +1 percentage point absolute.
    page = soup(client.get(URL, {"baseline_rate": 10, "mde_type": "absolute", "mde_value": 1}))
    assert numbers(page)[:3] == ["14,749", "14,749", "29,498"]
    assert page.select_one("label[for=id_mde_value]").get_text(strip=True) == (
        "Minimum detectable effect (percentage points)"
    )


def test_a_decrease_uses_the_lower_rate(client, db):
    page = soup(client.get(URL, {"direction": "decrease"}))
    assert numbers(page)[0] == "28,406"


def test_a_mean_metric_ignores_the_proportion_only_method(client, db):
    page = soup(client.get(URL, {
        "metric_type": "mean", "baseline_mean": 2.5, "std_dev": 10, "mde_value": 2,
        "method": "pooled", "daily_eligible_units": "",
    }))  # fmt: skip
    assert numbers(page) == ["627,911", "627,911", "1,255,822", "—"]
    assert "δ = μ · m = 2.5 · 0.02 = 0.05" in page.select_one(".ab-formula").get_text()
    assert "Add the daily eligible units" in page.select_one("#ab-results").get_text()


def test_an_absolute_mde_on_a_mean_is_in_the_metrics_unit(client, db):
    page = soup(client.get(URL, {"metric_type": "mean", "std_dev": 1, "mde_type": "absolute",
                                 "mde_value": 0.1}))  # fmt: skip
    assert numbers(page)[0] == "1,570"
    assert "(metric units)" in page.select_one("label[for=id_mde_value]").get_text()


def test_warnings_of_the_spec_are_shown(client, db):
    slow = soup(client.get(URL, {"baseline_rate": 2, "mde_value": 5, "alpha": 0.01, "power": 0.9}))
    assert "Effect too small for your traffic" in slow.select_one(".ab-warnings").get_text()
    fast = soup(client.get(URL, {"daily_eligible_units": 1_000_000}))
    assert "at least 7" in fast.select_one(".ab-warnings").get_text()


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ({"power": 1}, "power", "below 1"),
        ({"alpha": 0}, "alpha", "α"),
        ({"alpha": "abc"}, "alpha", "Enter a number"),
        ({"alpha": "nan"}, "alpha", "Enter a number"),
        ({"baseline_rate": 100}, "baseline_rate", "between 0% and 100%"),
        ({"baseline_rate": ""}, "baseline_rate", "baseline rate"),
        ({"mde_value": 2500}, "mde_value", "p2 would be 130%"),
        ({"mde_value": ""}, "mde_value", "required"),
        ({"allocation_control": 80}, "allocation_treatment", "more than 100%"),
        ({"allocation_control": 0}, "allocation_control", "above 0%"),
        ({"sides": 3}, "sides", "valid choice"),
        ({"variance_inflation_factor": 0.5}, "variance_inflation_factor", "at least 1"),
        ({"daily_eligible_units": 0}, "daily_eligible_units", "above 0"),
        ({"metric_type": "mean"}, "std_dev", "standard deviation"),
        ({"metric_type": "mean", "std_dev": -1}, "std_dev", "greater than 0"),
        ({"metric_type": "mean", "std_dev": 1, "baseline_mean": 0}, "baseline_mean", "non-zero"),
    ],
)
def test_bad_input_is_a_form_error_next_to_the_input_without_nan(client, db, query, field, says):
    response = client.get(URL, query)
    assert response.status_code == 200
    page = soup(response)
    assert says in field_errors(page, field)
    assert page.select_one(f"#id_{field}").get("aria-invalid") == "true"
    assert not page.select_one(".ab-numbers")
    assert "No result yet" in page.select_one("#ab-results").get_text()
    assert_no_nan(page)


def test_the_script_gets_its_settings_as_data_never_as_inline_code(client, db):
    page = soup(client.get(URL))
    for script in page.select("script"):
        assert script.get("src") or script.get("type") == "application/json"
    assert page.select_one('script[src$="js/ab-tool.js"]')
    config = json.loads(page.select_one("#ab-config").string)
    assert config["api"] == reverse("api:ab-sample-size")
    assert config["text"]["control"] == "Control"
    assert set(config["mdeLabels"]) == {"relative", "points", "units"}


def test_the_form_is_a_get_so_results_can_be_linked(client, db):
    form = soup(client.get(URL)).select_one("#ab-form")
    assert form["method"] == "get" and form["action"] == URL
