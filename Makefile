### paeria.egov — everything a developer or an operator runs, from a fresh clone.
# Settings come from the environment: PORT, HOST, SITE_ID, ADMIN_PASSWORD, DEMO,
# STORAGE, RELSTORAGE_DSN (see README.md).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INSTANCE := $(BIN)/paeria-instance
PACKAGE := src/paeria/egov

# Installs only what constraints.txt pins.
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt

# $(call task,COMMAND ARGS): run `paeria-instance COMMAND ARGS` and, when it
# fails, print its own exit status on the last line. GNU make exits only 0, 1
# (with -q) or 2, so any failure of a recipe becomes make's 2, whatever the
# command's status was (1: problems found, 2: cannot open the instance…); cron
# and monitoring that need the command's status call the command itself,
# e.g. `.venv/bin/paeria-instance integrity-scan` (docs/operations.md).
define task
@$(INSTANCE) $(1); status=$$?; \
if [ $$status -ne 0 ]; then \
  echo "paeria-instance $(firstword $(1)) exited with status $$status (make reports any failure as 2; for the command's own status run $(INSTANCE) $(firstword $(1)))" >&2; \
fi; exit $$status
endef

.PHONY: help
help: ## List the targets
	@echo "paeria.egov — make targets (settings: PORT HOST SITE_ID ADMIN_PASSWORD DEMO STORAGE RELSTORAGE_DSN)"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "error: paeria.egov needs Python 3.11 or newer as $(PYTHON)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.py constraints.txt
	$(PIP_INSTALL) pip setuptools wheel
	$(PIP_INSTALL) -e ".[relstorage,test,dev]"
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Install Plone and paeria.egov into .venv (pinned by constraints.txt)

.PHONY: configure
configure: install ## Write etc/zope.conf and etc/zope.ini from the environment
	$(call task,configure)

.PHONY: create-site
create-site: configure ## Create the Plone site with paeria.egov if absent (DEMO=1: demo data)
	$(call task,create-site)

.PHONY: start
start: install ## Install if needed, create the site if absent, serve http://HOST:PORT/SITE_ID
	@$(INSTANCE) start

.PHONY: serve
serve: ## Serve an instance already configured (no install, no site creation)
	@$(INSTANCE) serve

N ?= 2
.PHONY: cluster
cluster: install ## N Zope processes (N=2) on PostgreSQL behind HAProxy on PORT (STORAGE=postgres; docs/scaling.md)
	@$(INSTANCE) cluster --processes $(N)

.PHONY: console
console: configure ## Interactive Python console with `app` bound to the Zope root
	@$(INSTANCE) console

.PHONY: expire-notifications
expire-notifications: configure ## Reject notifications not accessed in 10 days (cron; RelStorage, or server stopped)
	$(call task,expire-notifications)

.PHONY: journal-verify
journal-verify: configure ## Seal and verify every journal chain (exit 1 naming the first broken link)
	$(call task,journal-verify)

SCALE ?= small
.PHONY: load-reference
load-reference: configure ## Load the reference data set into the site (SCALE=small|reference; resumable)
	$(call task,load-reference --scale $(SCALE))

.PHONY: backup
backup: ## Online backup of the database and blobs into BACKUP_DIR (default var/backups; FULL=1: full)
	@bash scripts/backup.sh backup

.PHONY: restore
restore: ## Restore BACKUP_DIR into an empty var/ or database, portal stopped (FORCE=1 replaces data)
	@bash scripts/backup.sh restore

.PHONY: integrity-scan
integrity-scan: configure ## Hash every document's file and report mismatches (exit 1 if any; server stopped or RelStorage)
	$(call task,integrity-scan)

.PHONY: check-consistency
check-consistency: configure ## After a restore: counts, integrity scan and journal chains (exit 1 on a problem)
	$(call task,check-consistency)

.PHONY: test
test: install ## Install if needed and run the whole test suite (dated runs included)
	@$(BIN)/python scripts/run_tests.py

.PHONY: test-unit
test-unit: install ## Only the add-on's zope.testrunner suites (integration and functional)
	@$(BIN)/python scripts/run_tests.py --only unit

.PHONY: test-dates
test-dates: install ## Only the add-on's zope.testrunner suites at four faked instants (Debian's faketime)
	@$(BIN)/python scripts/run_tests.py --only dates

.PHONY: test-system
test-system: install ## Only the system suites in tests/ (a running portal driven from outside)
	@$(BIN)/python scripts/run_tests.py --only system

.PHONY: test-browser
test-browser: install ## Only the browser suite (tests/browser/: Debian's Chromium, axe-core; in test-system too)
	@$(BIN)/python -m pytest tests/browser -q -p no:cacheprovider

SCALE ?= small
.PHONY: bench
bench: install ## Benchmark against stock Plone 6.2, print one table (SCALE=small|tenth|reference, ONLY=1,2…)
	@$(BIN)/python bench/run.py --scale $(SCALE) $(if $(ONLY),--only $(ONLY))

.PHONY: lint
lint: install ## Check code style (ruff), ZCML/XML formatting (zpretty) and the package map (lint-imports)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/zpretty --check $$(find src -name '*.zcml' -o -name '*.xml' | grep -v '/locales/')
	$(BIN)/lint-imports --no-cache

.PHONY: format
format: install ## Format code (ruff) and ZCML/XML (zpretty) in place
	$(BIN)/ruff check --fix src tests scripts bench
	$(BIN)/ruff format src tests scripts bench
	$(BIN)/zpretty -i $$(find src -name '*.zcml' -o -name '*.xml' | grep -v '/locales/')

.PHONY: i18n
i18n: install ## Rebuild the paeria.egov.pot catalogue and sync the es, ca and en .po files
	@$(BIN)/python scripts/i18n.py

.PHONY: buildout
buildout: ## Build the zc.buildout alternative install under var/buildout (pins from constraints.txt)
	@bash scripts/buildout.sh build

.PHONY: buildout-check
buildout-check: ## Build with zc.buildout, start that instance and check it answers
	@bash scripts/buildout.sh check

.PHONY: constraints
constraints: ## Regenerate constraints.txt from a clean resolve of setup.py (see README)
	@bash scripts/update_constraints.sh

.PHONY: clean
clean: ## Remove the virtualenv and build leftovers (keeps var/ data)
	rm -rf $(VENV) build dist src/*.egg-info var/buildout

.PHONY: clean-data
clean-data: ## Remove var/ and etc/: ALL SITE DATA IS LOST
	rm -rf var etc
