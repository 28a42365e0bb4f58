# Jessops privacy assistant. Two commands matter: `make run` and `make test`.
# Everything else they need (virtual environments, the clause index, the trained
# Rasa model) is set up on the way, and redone only when its inputs change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
RASA_ENV    := $(VENV)/rasa
ACTIONS_ENV := $(VENV)/actions
RASA        := $(RASA_ENV)/bin/rasa
PYTHON      := $(ACTIONS_ENV)/bin/python
MODEL_STAMP := models/.trained
CHROMIUM    := /usr/bin/chromium
# make cluster's load balancer and lock store, from Debian (PostgreSQL 15 is on the image).
CLUSTER_DEPS := /usr/sbin/haproxy /usr/bin/redis-server
# The index follows VAR_DIR and KNOWLEDGE_INDEX_DIR, as settings.py resolves them.
INDEX_DIR   := $(or $(KNOWLEDGE_INDEX_DIR),$(or $(VAR_DIR),var)/index)
INDEX_STAMP := $(INDEX_DIR)/manifest.json
RASA_ENVIRONMENT := RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH := $(CURDIR)
# This machine's pip configuration names local package folders that may not exist.
PIP_NOISE := ^WARNING: Location 'file:

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
INDEX_INPUTS    := settings.py $(wildcard knowledge/*.py knowledge/*/*.py knowledge/*.yml knowledge/policy/* knowledge/evaluation/* data/nlu/*.yml)

.PHONY: help setup browser cluster-deps run cluster test unit lint format validate story-test pytest index train ask eval requests review forget bench loadtest soak lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# --- environments -----------------------------------------------------------------
# Set-up output goes to stderr so that `make -s ask` prints only JSON on stdout.

# One environment per interpreter: the Rasa server (rasa 3.6 supports Python 3.8-3.10), the
# action server with everything else (3.11), and the Locust load generator (3.11, apart so
# that its gevent never meets the servers' asyncio).
PYTHON_VERSION_rasa    := 3.10
PYTHON_VERSION_actions := 3.11
PYTHON_VERSION_locust  := 3.11

$(VENV)/%/.installed: requirements/%.txt
	@python=$$(scripts/find-python $(PYTHON_VERSION_$*)) && \
	  { [ -x $(VENV)/$*/bin/python ] || $$python -m venv $(VENV)/$*; } >&2
	@echo "Installing the $* environment's packages (Python $(PYTHON_VERSION_$*))..." >&2
	@$(VENV)/$*/bin/pip install -q --disable-pip-version-check -r $< 2>&1 \
	  | { grep -v "$(PIP_NOISE)" || true; } >&2; exit $${PIPESTATUS[0]}
	@touch $@

setup: $(RASA_ENV)/.installed $(ACTIONS_ENV)/.installed $(INDEX_STAMP) $(MODEL_STAMP)  ## set up everything (run and test do it too)

# The widget tests drive Debian's chromium (Playwright never downloads a browser here).
$(CHROMIUM):
	@echo "Installing Debian's chromium for the widget tests (needs root)..." >&2
	@apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2

browser: $(CHROMIUM)  ## install Debian's chromium for the widget tests, if missing

# Grouped target: one apt-get run installs whatever is missing; nothing when both exist.
$(CLUSTER_DEPS) &:
	@echo "Installing Debian's redis-server and haproxy for make cluster (needs root)..." >&2
	@apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server haproxy >&2

cluster-deps: $(CLUSTER_DEPS)  ## install Debian's redis-server and haproxy, if missing

# --- build steps ----------------------------------------------------------------

$(INDEX_STAMP): $(ACTIONS_ENV)/.installed $(INDEX_INPUTS)
	@$(PYTHON) -m knowledge build >&2

index: $(ACTIONS_ENV)/.installed  ## (re)build the index, fine-tuning the question encoder if its training data changed
	@$(PYTHON) -m knowledge build

$(MODEL_STAMP): $(RASA_ENV)/.installed $(TRAINING_INPUTS)
	@echo "Training the Rasa model..." >&2
	@$(RASA_ENVIRONMENT) $(RASA) train --fixed-model-name jessops --out models >&2
	@touch $@

train: $(MODEL_STAMP)  ## train the Rasa model if training data or config changed

# --- running ----------------------------------------------------------------------

run: setup  ## start everything on 127.0.0.1 (Ctrl-C stops it all)
	@$(PYTHON) -m stack

# ROLE=database|application|edge: that role of a cluster across machines (docs/deploy.md).
cluster: setup cluster-deps  ## make run on PostgreSQL, Redis and HAProxy: several servers of each kind (ROLE=...: one host's share; Ctrl-C stops it all)
	@$(PYTHON) -m stack --cluster $(if $(ROLE),--role $(ROLE))

ask: $(INDEX_STAMP)  ## ask the index: make -s ask Q='...', or questions one a line on stdin
	@$(PYTHON) -m knowledge ask $(if $(Q),"$$Q")

eval: $(INDEX_STAMP) $(MODEL_STAMP)  ## retrieval figures on every set, then development and held-out sets end to end over REST
	@$(PYTHON) -m knowledge eval
	@$(PYTHON) -m tools.answer_eval

requests: $(ACTIONS_ENV)/.installed  ## the request outbox: make requests ARGS='list --status failed'
	@$(PYTHON) -m data_requests $(or $(ARGS),list)

review: $(ACTIONS_ENV)/.installed  ## the last REVIEW_DAYS of questions, by outcome and clause, and a chart: make review [ARGS='export --kind hedged --out ...']
	@$(PYTHON) -m review $(ARGS)

forget: $(ACTIONS_ENV)/.installed  ## delete one customer's conversation and feedback now: make forget SENDER=...
	@test -n "$(SENDER)" || { echo 'usage: make forget SENDER=<sender id>' >&2; exit 2; }
	@$(PYTHON) -m stores.retention forget "$$SENDER"

bench: setup  ## latency, throughput, memory of a stack on free ports (ARGS=--profile: py-spy too)
	@$(PYTHON) -m tools.bench $(ARGS)

loadtest: setup $(CLUSTER_DEPS) $(VENV)/locust/.installed  ## Locust: msg/s and p95 of make run and make cluster at 16 and 64 customers
	@$(PYTHON) -m tools.loadtest $(ARGS)

soak: setup  ## 20 concurrent customers for 2 minutes: throughput, p95, errors, delivery, memory
	@$(PYTHON) -m tools.soak $(ARGS)

# --- tests --------------------------------------------------------------------------

test: setup lint validate story-test pytest  ## everything CI runs

lint: $(ACTIONS_ENV)/.installed  ## ruff lint and format check
	@$(ACTIONS_ENV)/bin/ruff check .
	@$(ACTIONS_ENV)/bin/ruff format --check .

format: $(ACTIONS_ENV)/.installed  ## apply ruff's fixes and formatting
	@$(ACTIONS_ENV)/bin/ruff format .
	@$(ACTIONS_ENV)/bin/ruff check --fix .

validate: $(RASA_ENV)/.installed  ## rasa data validate
	@$(RASA_ENVIRONMENT) $(RASA) data validate --fail-on-warnings

story-test: $(MODEL_STAMP)  ## rasa test on tests/test_stories.yml, failing on any wrong prediction
	@$(RASA_ENVIRONMENT) $(RASA) test core --model models --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out var/results

# With ARGS, only what one file needs is set up: an end-to-end file then also needs
# `make setup` (and the widget's, `make browser`) once. Tests start their own PostgreSQL
# (on the image) and Redis, and the cluster's HAProxy: Debian's packages, if missing.
pytest: $(if $(ARGS),$(ACTIONS_ENV)/.installed,setup $(CHROMIUM)) $(CLUSTER_DEPS)  ## the pytest suites (one: make pytest ARGS=tests/knowledge/test_clauses.py)
	@$(PYTHON) -m pytest $(or $(ARGS),--durations=15 tests)

unit: $(RASA_ENV)/.installed $(ACTIONS_ENV)/.installed $(INDEX_STAMP)  ## fast tests: no browser, no trained model, no servers
	@$(PYTHON) -m pytest tests --ignore=tests/e2e -m "not servers"

# --- maintenance --------------------------------------------------------------------

lock:  ## re-pin requirements/*.txt from the current environments
	@$(ACTIONS_ENV)/bin/pip freeze --exclude-editable > requirements/actions.txt
	@$(RASA_ENV)/bin/pip freeze --exclude-editable > requirements/rasa.txt
	@[ ! -x $(VENV)/locust/bin/pip ] || $(VENV)/locust/bin/pip freeze --exclude-editable > requirements/locust.txt

clean:  ## remove built artefacts (keeps var/ data and the environments)
	rm -rf models $(INDEX_DIR) var/results .pytest_cache .ruff_cache
