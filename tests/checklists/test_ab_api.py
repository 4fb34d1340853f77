"""POST /api/v1/tools/ab-sample-size/: the spec's numbers for anyone, field errors for bad input."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from tests.checklists.test_ab import VECTORS

URL = reverse("api:ab-sample-size")
EXAMPLE_A = {"metric_type": "proportion", "baseline_rate": 0.05, "mde_value": 0.1,
             "mde_type": "relative", "alpha": 0.05, "power": 0.8}  # fmt: skip
OUTPUT_FIELDS = {"n_control", "n_treatment", "n_total", "n_control_raw", "n_treatment_raw",
                 "computed_days", "p1", "p2", "delta", "z_alpha", "z_beta", "k", "formula",
                 "warnings"}  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Anonymous requests are counted in the cache; every test starts (and ends) uncounted."""
    cache.clear()
    yield
    cache.clear()


def post(payload, *, user=None, client=None):
    client = client or APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.post(URL, payload, format="json")


def assert_clean(response) -> None:
    text = response.content.decode()
    assert "NaN" not in text and "Infinity" not in text


@pytest.mark.parametrize(
    ("vector", "inputs", "method", "n_c", "n_t"),
    VECTORS,
    ids=[f"{v[0]}-{v[2]}" for v in VECTORS],
)
def test_every_spec_vector_through_the_api(db, vector, inputs, method, n_c, n_t):
    response = post({**inputs, "method": method})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["n_control"], body["n_treatment"], body["n_total"]) == (n_c, n_t, n_c + n_t)


def test_anonymous_visitors_get_example_a_with_every_output_field(db):
    response = post({**EXAMPLE_A, "daily_eligible_units": 10_000})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == OUTPUT_FIELDS
    assert (body["n_control"], body["n_treatment"], body["computed_days"]) == (31_231, 31_231, 7)
    assert body["n_control_raw"] == pytest.approx(31_230.69, abs=0.01)
    assert body["p2"] == pytest.approx(0.055)
    assert body["delta"] is None
    assert body["z_alpha"] == pytest.approx(1.959964, abs=1e-6)
    assert "7.84888 · 0.099475 / 0.000025" in body["formula"]
    assert any("Assumes 10,000 new eligible units per day" in w for w in body["warnings"])


def test_signed_in_users_use_the_calculator_too(alice):
    assert post(EXAMPLE_A, user=alice).json()["n_control"] == 31_231


def test_a_signed_in_session_needs_the_csrf_token_a_visitor_does_not(alice):
    client = APIClient(enforce_csrf_checks=True)
    assert post(EXAMPLE_A, client=client).status_code == 200
    client.force_login(alice)
    assert post(EXAMPLE_A, client=client).status_code == 403
    client.get(reverse("checklists:ab_tool"))  # the page sets the cookie the script reads
    token = client.cookies["csrftoken"].value
    response = client.post(URL, EXAMPLE_A, format="json", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_examples_b_to_d_and_the_direction_note(db):
    b = post({**EXAMPLE_A, "allocation_control": 0.7, "allocation_treatment": 0.3,
              "daily_eligible_units": 10_000}).json()  # fmt: skip
    assert (b["n_control"], b["n_treatment"], b["computed_days"]) == (52_988, 22_710, 8)
    c = post({"metric_type": "mean", "baseline_mean": 2.5, "std_dev": 10, "mde_value": 0.02,
              "mde_type": "relative", "alpha": 0.05, "power": 0.8}).json()  # fmt: skip
    assert (c["n_control"], c["delta"]) == (627_911, pytest.approx(0.05))
    d = post({**EXAMPLE_A, "baseline_rate": 0.01, "mde_value": 0.01, "allocation_control": 0.02,
              "allocation_treatment": 0.02, "variance_inflation_factor": 2.0,
              "daily_eligible_units": 345_600_000}).json()  # fmt: skip
    assert (d["n_control"], d["computed_days"]) == (31_235_387, 5)
    churn = post({**EXAMPLE_A, "direction": "decrease"}).json()
    assert churn["n_control"] == 28_406


def test_numbers_sent_as_strings_are_read_as_numbers(db):
    payload = {key: str(value) for key, value in EXAMPLE_A.items()}
    assert post(payload).json()["n_control"] == 31_231


def test_optional_inputs_may_be_null(db):
    payload = {**EXAMPLE_A, "baseline_mean": None, "std_dev": None, "daily_eligible_units": None}
    body = post(payload).json()
    assert (body["n_control"], body["computed_days"]) == (31_231, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": 0.5}, "alpha"),
        ({"alpha": "five percent"}, "alpha"),
        ({"alpha": ""}, "alpha"),
        ({"alpha": None}, "alpha"),
        ({"alpha": True}, "alpha"),
        ({"alpha": [0.05]}, "alpha"),
        ({"alpha": "NaN"}, "alpha"),
        ({"alpha": "Infinity"}, "alpha"),
        ({"power": 1}, "power"),
        ({"power": 0}, "power"),
        ({"power": "high"}, "power"),
        ({"baseline_rate": 0}, "baseline_rate"),
        ({"baseline_rate": 1}, "baseline_rate"),
        ({"baseline_rate": 5}, "baseline_rate"),
        ({"baseline_rate": "5%"}, "baseline_rate"),
        ({"baseline_rate": None}, "baseline_rate"),
        ({"mde_value": 25}, "mde_value"),
        ({"mde_value": 0}, "mde_value"),
        ({"mde_value": 1e-300}, "mde_value"),
        ({"mde_value": "ten"}, "mde_value"),
        ({"mde_type": "percent"}, "mde_type"),
        ({"metric_type": "ratio"}, "metric_type"),
        ({"direction": "up"}, "direction"),
        ({"method": "bayes"}, "method"),
        ({"sides": 3}, "sides"),
        ({"sides": 1.5}, "sides"),
        ({"sides": "two"}, "sides"),
        ({"allocation_control": 0}, "allocation_control"),
        ({"allocation_control": -0.5}, "allocation_control"),
        ({"allocation_control": 0.7, "allocation_treatment": 0.5}, "allocation_treatment"),
        ({"allocation_treatment": "half"}, "allocation_treatment"),
        ({"variance_inflation_factor": 0.5}, "variance_inflation_factor"),
        ({"daily_eligible_units": 0}, "daily_eligible_units"),
        ({"daily_eligible_units": -10}, "daily_eligible_units"),
        ({"daily_eligible_units": 1e-300}, "daily_eligible_units"),
        ({"daily_eligible_units": "lots"}, "daily_eligible_units"),
        ({"metric_type": "mean", "std_dev": 0, "mde_type": "absolute"}, "std_dev"),
        ({"metric_type": "mean", "std_dev": -1, "mde_type": "absolute"}, "std_dev"),
        ({"metric_type": "mean", "std_dev": 10}, "baseline_mean"),
        ({"metric_type": "mean", "std_dev": 10, "baseline_mean": 0}, "baseline_mean"),
        ({"metric_type": "mean", "std_dev": 1, "mde_type": "absolute", "method": "pooled"},
         "method"),
        ({"metric_type": "mean", "std_dev": 1e200, "mde_type": "absolute"}, "mde_value"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(db, change, field):
    response = post({**EXAMPLE_A, **change})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert field in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert_clean(response)


def test_a_missing_required_input_is_named(db):
    response = post({"metric_type": "proportion", "baseline_rate": 0.05})
    assert response.status_code == 400
    assert {"mde_value", "mde_type", "alpha", "power"} <= response.json()["errors"].keys()


def test_p2_outside_zero_and_one_says_what_p2_would_be(db):
    response = post({**EXAMPLE_A, "mde_value": 25})
    assert "p2 would be 130%" in response.json()["errors"]["mde_value"][0]


@pytest.mark.parametrize("body", ["[1, 2]", '"proportion"', "42", "null", "true"])
def test_a_json_body_that_is_not_an_object_is_a_400(db, body):
    response = APIClient().post(URL, body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert set(payload) == {"detail", "errors"} and payload["detail"]


def test_a_body_that_is_not_json_is_a_400(db):
    response = APIClient().post(URL, "alpha=0.05", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_a_json_nan_is_refused(db):
    body = json.dumps(EXAMPLE_A).replace("0.05,", "NaN,", 1)
    response = APIClient().post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_only_post_is_allowed(db):
    assert APIClient().get(URL).status_code == 405


def test_anonymous_use_is_throttled_with_the_error_shape(db):
    client = APIClient()
    statuses = [post(EXAMPLE_A, client=client).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    response = post(EXAMPLE_A, client=client)
    assert set(response.json()) == {"detail", "errors"}
    assert "Retry-After" in response.headers


def test_signed_in_users_are_not_throttled(alice):
    client = APIClient()
    client.force_authenticate(alice)
    assert {post(EXAMPLE_A, client=client).status_code for _ in range(70)} == {200}


def test_the_schema_documents_the_calculator(db):
    response = APIClient().get(reverse("api-schema"), {"format": "json"})
    operation = response.json()["paths"]["/api/v1/tools/ab-sample-size/"]["post"]
    assert operation["operationId"] == "tools_ab_sample_size"
    assert {"200", "400", "429"} <= operation["responses"].keys()
