# Two commands do all set-up: `make demo` (score the sample archive with the shipped model) and
# `make test` (the test suite). Both create .venv and convert the offline encoder when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ENCODER := models/e5-small
ENCODER_STAMP := $(ENCODER)/attestscore_conversion.json

.PHONY: demo demo-ingest test install encoder browser ocr bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,serve,ray,ingest]'
	touch $(STAMP)

encoder: $(ENCODER_STAMP)

$(ENCODER_STAMP): $(STAMP)
	$(VENV)/bin/attestscore encoder convert --out $(ENCODER)

# Debian's Chromium for the report's browser test (installed when missing and we may install it)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser test needs it)"; fi; }

# Tesseract with its Danish model, for scanned PDFs in `attestscore ingest`, and the DejaVu font the ingest
# tests and demo draw their PDFs with (installed when missing and we may)
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx dan \
	   && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-dan fonts-dejavu-core >/dev/null; \
	  else echo "missing: sudo apt-get install tesseract-ocr tesseract-ocr-dan fonts-dejavu-core (OCR and the ingest tests need them)"; fi; }

demo: $(STAMP) $(ENCODER_STAMP)
	$(VENV)/bin/attestscore score data/sample/archive.jsonl -o out/demo/scored.jsonl
	$(VENV)/bin/attestscore simulate --pairs 400 --seed 1 -o out/demo/simulated-archive.jsonl
	$(VENV)/bin/attestscore report out/demo/simulated-archive.jsonl --out out/demo/report
	@echo "scored archive: out/demo/scored.jsonl; report: out/demo/report/report.html"

test: $(STAMP) $(ENCODER_STAMP) browser ocr
	$(PY) -m pytest -q

# A sample folder of exported files (PDF, scanned PDF, DOCX, TXT, RTF, one broken) -> archive -> scores
demo-ingest: $(STAMP) $(ENCODER_STAMP) ocr
	$(PY) training/corpus/make_ingest_sample.py --out out/ingest-demo/folder
	$(VENV)/bin/attestscore ingest out/ingest-demo/folder -o out/ingest-demo/archive.jsonl --manifest out/ingest-demo/folder/manifest.csv
	$(VENV)/bin/attestscore score out/ingest-demo/archive.jsonl -o out/ingest-demo/scored.jsonl

bench: $(STAMP) $(ENCODER_STAMP)
	$(PY) bench/throughput.py

clean:
	rm -rf out .pytest_cache
