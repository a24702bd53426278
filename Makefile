# Two commands do all set-up: `make demo` (score the sample archive with the shipped model) and
# `make test` (the test suite). Both create .venv and convert the offline encoder when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ENCODER := models/e5-small
ENCODER_STAMP := $(ENCODER)/attestscore_conversion.json

.PHONY: demo test install encoder browser bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

encoder: $(ENCODER_STAMP)

$(ENCODER_STAMP): $(STAMP)
	$(VENV)/bin/attestscore encoder convert --out $(ENCODER)

# Debian's Chromium for the report's browser test (installed when missing and we may install it)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser test needs it)"; fi; }

demo: $(STAMP) $(ENCODER_STAMP)
	$(VENV)/bin/attestscore score data/sample/archive.jsonl -o out/demo/scored.jsonl
	$(VENV)/bin/attestscore simulate --pairs 400 --seed 1 -o out/demo/simulated-archive.jsonl
	$(VENV)/bin/attestscore report out/demo/simulated-archive.jsonl --out out/demo/report
	@echo "scored archive: out/demo/scored.jsonl; report: out/demo/report/report.html"

test: $(STAMP) $(ENCODER_STAMP) browser
	$(PY) -m pytest -q

bench: $(STAMP) $(ENCODER_STAMP)
	$(PY) bench/throughput.py

clean:
	rm -rf out .pytest_cache
