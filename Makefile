# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
DB     := instance/bpjs.sqlite3
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test lint bench clean browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The demo database is built once: schema, registry from fixtures/, one token per role, printed once in a framed
# block after everything else (the tokens are stored hashed and cannot be shown again).
ROLES := officer licensing auditor admin supervisor
RULE  := ==========================================================================================
$(DB): | $(VENV)/.installed
	mkdir -p instance
	$(FLASK) audit keygen
	$(FLASK) db upgrade
	$(FLASK) registry import fixtures/registry
	@lines=""; for role in $(ROLES); do \
		token=$$($(FLASK) tokens create --role $$role --name demo-$$role | tail -n 1); \
		case "$$token" in bpjs_*) ;; *) echo "could not create the $$role token" >&2; rm -f $(DB); exit 1;; esac; \
		lines="$$lines  export $$(echo $$role | tr a-z A-Z)=$$token;"; \
	done; \
	echo; echo "$(RULE)"; \
	echo "  Demo tokens, one per role. Copy them now: only their hashes are stored."; echo; \
	echo "$$lines" | tr ';' '\n'; \
	echo "  More: $(FLASK) tokens create --role ROLE --name NAME [--expires 90d]"; \
	echo "$(RULE)"; echo

# the checkpoint signing key (instance/audit-signing-key.pem, mode 0600) is created once; keygen keeps an existing key
run: $(DB)
	$(FLASK) db upgrade
	$(FLASK) audit keygen
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# The browser tests drive Debian's chromium through its chromedriver: installed here when missing (CI is root on a
# fresh Debian machine; elsewhere through sudo). Nothing is downloaded outside apt.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "== installing chromium and chromium-driver (apt) for the browser tests =="; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The whole suite on SQLite and, at the same time, the API tests on a throwaway PostgreSQL 15 cluster that the script
# starts and removes. The venv and the browser are installed side by side first (pip and apt wait on downloads and
# disk as much as on the CPU).
test:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	scripts/test-all.sh

bench: $(VENV)/.installed
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
