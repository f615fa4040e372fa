# 青岛市中小学集团化办学管理系统 — the two front-door commands are `make run` and `make test`.
# Everything runs from the virtual environment in .venv (created on first use).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Prefer an explicit python3.11 when the machine has one (the project requires 3.11).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
MANAGE := $(VPY) manage.py
STAMP := $(VENV)/.installed-from-requirements.lock
PROCFILE := Procfile.dev
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-x -k groups"`.
PYTEST_ARGS ?=
# `make run PORT=8001` serves on another port (when 8000 is taken).
PORT ?= 8000
# pytest-xdist workers for `make test`: one per CPU (at most 4; each builds its own test
# database). PYTEST_WORKERS=0 runs in one process (needed for --pdb and -s).
PYTEST_WORKERS ?= auto
# Folders the compilemessages walk must skip (the venv holds Django's own catalogues).
I18N_IGNORE := --ignore $(VENV) --ignore var --ignore node_modules
# The compiled catalogues are committed; recompile them when GNU gettext is there to do it.
COMPILE_MESSAGES = if command -v msgfmt >/dev/null; then $(MANAGE) compilemessages $(I18N_IGNORE) --verbosity 0; else echo "msgfmt not found: using the committed .mo files"; fi

.PHONY: help venv install run prepare-db system-packages test lint docs docs-check clean distclean messages bench backup restore

help: ## List the targets
	@echo "青岛市中小学集团化办学管理系统 — make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "Python 3.11 is required (found: $$($(PYTHON) --version)); set PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  echo "python3.11-venv is missing: apt-get install python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# File stamp: reinstall only when requirements.lock changes (or the venv is new).
$(STAMP): requirements.lock | $(VPY)
	@test -x $(VENV)/bin/uv || $(VPY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --python $(VPY) -r requirements.lock
	@touch $@

venv: $(STAMP) ## Create .venv and install the locked dependencies (alias: install)

install: $(STAMP) ## Same as venv

messages: $(STAMP) ## Compile the translations (locale/*/LC_MESSAGES/*.mo)
	@$(COMPILE_MESSAGES)

# Collected static files are rebuilt only when static/ or the installed packages change
# (WhiteNoise compresses every file: about 15 s of CPU).
STATIC_ROOT_DIR := $(or $(DJANGO_STATIC_ROOT),var/staticfiles)
STATIC_MANIFEST := $(STATIC_ROOT_DIR)/staticfiles.json
$(STATIC_MANIFEST): $(shell find static -type f 2>/dev/null) $(STAMP)
	$(MANAGE) collectstatic --noinput --verbosity 0
	@touch $@

# Official documents (批复, 备案回执) are PDFs in the Noto CJK fonts: without a CJK font WeasyPrint
# draws empty boxes, without libharfbuzz-subset0 it subsets fonts ten times slower. Checked in a
# few milliseconds; installed with apt when missing (as root, or with sudo), else said how.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils
system-packages: ## Install the system packages the PDFs need (fonts-noto-cjk, libharfbuzz-subset0, poppler-utils) when missing
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$pkg 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "Missing system packages:$$missing; without apt the PDFs take their CJK font from the Python package pylopdf-fonts-zh-cn (installed with the venv); install the rest with your package manager"; \
	  else \
	    sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	    echo "apt: installing$$missing (official PDFs: CJK font, fast font subsetting, pdftotext)"; \
	    $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  fi; \
	fi

# The database and the static files do not depend on each other: prepare them side by side.
prepare-db: $(STAMP)
	@mkdir -p var/celery/queue var/celery/processed var/celery/control
	$(MANAGE) prepare

run: $(STAMP) ## Migrate, seed the demo, then serve http://127.0.0.1:8000 (PORT=…) with a Celery worker + beat (Ctrl-C stops all)
	@$(VPY) -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", $(PORT)))' 2>/dev/null || { \
	  echo "Port $(PORT) is in use: stop what runs there, or choose another port: make run PORT=8001"; exit 1; }
	@$(MAKE) --no-print-directory system-packages
	@$(MAKE) --no-print-directory -j2 prepare-db $(STATIC_MANIFEST)
	@echo ""
	@echo "  青岛市中小学集团化办学管理系统 — http://127.0.0.1:$(PORT)/"
	@echo "  演示账号 / demo logins (密码 password: demo-pass-2025)"
	@echo "    city       市教育局工作人员 (city bureau staff)"
	@echo "    district   区（市）教体局工作人员 · 李沧区 (district bureau staff)"
	@echo "    principal  核心校校长 · 青岛二中 (core-school principal)"
	@echo "    member     成员校校长 · 李沧区九水路中学 (member-school principal)"
	@echo "    auditor    审计人员 (auditor, read-only)"
	@echo "    admin      系统管理员 (system administrator, /admin/)"
	@echo "  演示接口密钥 / demo API key (市南区教育和体育局; demo data only; docs/api.md):"
	@echo "    Authorization: Bearer qg_demoshinan_DEMOKEYSHINANBUREAUFORDEMODATAONLYNEVERINPRODUCTIONX"
	@echo "  Ctrl-C 停止全部进程 / stops everything."
	@echo ""
	PYTHONUNBUFFERED=1 WEB_PORT=$(PORT) DJANGO_SITE_URL=$${DJANGO_SITE_URL:-http://127.0.0.1:$(PORT)} \
	  exec $(VENV)/bin/honcho -f $(PROCFILE) start

test: $(STAMP) ## Run the whole test suite (honours DATABASE_URL and CELERY_BROKER_URL)
	@$(COMPILE_MESSAGES)
	$(VPY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, import contracts, djLint (templates), mypy (services, selectors, permissions)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/djlint templates members/templates $(wildcard groups/*/templates) funding/templates $(wildcard assessments/*/templates) $(wildcard assessments/templates) api/templates --lint
	$(VENV)/bin/mypy

# Benchmark (issue 7; never part of `make test`): PostgreSQL on 127.0.0.1:5432, wrk from Debian.
SCALE ?= city
bench: $(STAMP) $(STATIC_MANIFEST) ## Measure every key page against the floor F (SCALE=city|province|nation): BENCHMARKS.md
	@command -v wrk >/dev/null || { \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  echo "apt: installing wrk"; \
	  $$sudo apt-get update -q && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; }
	@$(COMPILE_MESSAGES)
	$(VPY) -m qingdao_groups.bench --scale $(SCALE)

# Backups (issue 12; README "备份与恢复 / Backup and restore"): the database (pg_dump custom format,
# or SQLite's online backup API) + MEDIA_ROOT + a signed manifest of SHA-256 hashes.
BACKUP_DIR ?= var/backups
BACKUP_KEEP ?= 0
backup: $(STAMP) ## Back up the database and uploaded files into BACKUP_DIR (default var/backups; BACKUP_KEEP=N keeps the newest N)
	$(MANAGE) backup --out $(BACKUP_DIR) --keep $(BACKUP_KEEP)

# RESTORE_ARGS: --database-url URL (default $$RESTORE_DATABASE_URL, else DATABASE_URL), --media-root DIR, --force, --verify-only
restore: $(STAMP) ## Verify and restore a backup: make restore FROM=var/backups/qingdao-groups-… [RESTORE_ARGS=…]
	@test -n "$(FROM)" || { echo "Which backup? make restore FROM=$(BACKUP_DIR)/qingdao-groups-YYYYmmdd-HHMMSS"; exit 1; }
	$(MANAGE) restore "$(FROM)" $(RESTORE_ARGS)

docs: $(STAMP) ## Regenerate docs/clauses.md (policy clause -> code, tests, templates)
	$(MANAGE) clause_index

docs-check: $(STAMP) ## Fail when docs/clauses.md is stale (CI)
	$(MANAGE) clause_index --check

clean: ## Remove var/ (local database, queue, collected static) and caches
	rm -rf var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
