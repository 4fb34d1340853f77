# MLSD Portal. `make run` starts the site; `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
CELERY := $(VENV)/bin/celery
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk poppler-utils gettext
APT_TEST_PACKAGES := chromium
# `make faults` crashes a PostgreSQL and a Redis of its own.
APT_FAULT_PACKAGES := postgresql redis-server

# Browser tests save screenshots of the key pages here.
SCREENSHOT_DIR ?= test-artifacts/screenshots
export SCREENSHOT_DIR

.PHONY: run test e2e load faults bench install install-test sysdeps sysdeps-test sysdeps-faults lint format clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ").")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# System packages: WeasyPrint needs Pango; PDFs need fonts with Cyrillic and CJK glyphs;
# browser tests need Debian's Chromium. Installed with apt when we are root, else named.
define ENSURE_APT
	@missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "Not a Debian system: make sure these are installed: $(1)"; exit 0; \
	fi; \
	for pkg in $(1); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing system packages:$$missing"; \
			echo "Install them with: sudo apt-get install$$missing"; exit 1; \
		fi; \
	fi
endef

sysdeps:
	$(call ENSURE_APT,$(APT_PACKAGES))

sysdeps-test:
	$(call ENSURE_APT,$(APT_PACKAGES) $(APT_TEST_PACKAGES))

sysdeps-faults:
	$(call ENSURE_APT,$(APT_PACKAGES) $(APT_FAULT_PACKAGES))

run: install sysdeps
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_templates
	$(PY) manage.py load_library
	$(PY) manage.py create_demo
	@echo "MLSD Portal on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@trap 'kill $$WORKER $$WEB 2>/dev/null; wait; exit 0' INT TERM; \
	$(CELERY) -A mlsd_portal worker --beat --loglevel=INFO --concurrency=2 & WORKER=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) & WEB=$$!; \
	wait

test: install-test sysdeps-test
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest

# The browser journeys alone (Playwright driving Debian's chromium); screenshots in SCREENSHOT_DIR.
e2e: install-test sysdeps-test
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest tests/e2e
	@echo "Screenshots: $(SCREENSHOT_DIR)/"

# A bounded load test on loopback: gunicorn and locust's mixed read/edit/export workload; exits 1
# on any 5xx. LOAD_USERS, LOAD_SECONDS, LOAD_WORKERS, LOAD_DOCUMENTS size it.
load: install-test
	$(PY) -m tests.load.run

# Faults under load: the Celery worker killed mid-export, Redis killed, PostgreSQL crashed, on
# servers of its own; exits 1 on a lost or stuck export, a duplicate file, or a 5xx that is not
# a 503 during the database outage. FAULT_USERS, FAULT_SECONDS, FAULT_DOCUMENTS size it.
faults: install-test sysdeps-faults
	$(PY) -m tests.faults.run

# Benchmarks: ratios against a bare baseline measured in the same run (tests/bench/).
bench: install-test
	$(PY) -m tests.bench.pages
	$(PY) -m tests.bench.checklist
	$(PY) -m tests.bench.exports

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache .ruff_cache
