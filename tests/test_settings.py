"""Settings come from the environment and refuse unsafe or malformed values."""

import os
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR


def run_settings(**env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env={**environ, "DJANGO_SETTINGS_MODULE": "mlsd_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_with_the_default_secret_key():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_starts_with_its_own_secret_key():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_starts_with_the_default_secret_key():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("DB_CONN_MAX_AGE", "ten"), ("SECURE_HSTS_SECONDS", "1y")],
)
def test_a_malformed_setting_names_the_variable(name, value):
    result = run_settings(**{name: value, "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr
