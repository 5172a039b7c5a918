# bonesearch: one command to set up, one to run the demo, one to test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup system-deps demo lint-imports test test-all clean

setup: system-deps $(BIN)/bonesearch

# Tesseract (French + English) screens pixels for burned-in text during ingest; Chromium runs
# the web page's end-to-end tests (Playwright drives the system browser: no `playwright install`);
# DejaVu Sans draws a test's stamp in a real font.
system-deps:
	@{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx fra \
	   && command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	   && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-fra fonts-dejavu-core chromium chromium-driver >/dev/null; }

$(BIN)/bonesearch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/bonesearch demo demo-out

# lint-imports checks the layering first (contracts in .importlinter, see docs/architecture.md).
lint-imports: setup
	$(BIN)/lint-imports --no-cache

test: lint-imports
	$(BIN)/python -m pytest -q -m "not slow"

test-all: lint-imports
	$(BIN)/python -m pytest -q

clean:
	rm -rf demo-out runs .pytest_cache
