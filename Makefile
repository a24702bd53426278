# Two commands do all set-up: `make demo` (score the sample archive with the shipped model) and
# `make test` (the test suite). Both create .venv and convert the offline encoder when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ENCODER := models/e5-small
ENCODER_STAMP := $(ENCODER)/attestscore_conversion.json

.PHONY: demo test install encoder bench clean

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

demo: $(STAMP) $(ENCODER_STAMP)
	$(VENV)/bin/attestscore score data/sample/archive.jsonl -o out/demo/scored.jsonl
	@echo "scored archive: out/demo/scored.jsonl"

test: $(STAMP) $(ENCODER_STAMP)
	$(PY) -m pytest -q

bench: $(STAMP) $(ENCODER_STAMP)
	$(PY) bench/throughput.py

clean:
	rm -rf out .pytest_cache
