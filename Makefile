# Every workflow is a make target: what people and CI run.
SHELL := /bin/bash
UV := $(shell ./scripts/bootstrap-uv.sh)
export UV_PROJECT_ENVIRONMENT := .venv
INPUT ?= data/input
DB ?= data/warehouse.duckdb
PORT ?= 8501

.PHONY: setup run demo build serve test screenshots lint bench clean

setup:  ## install everything into .venv; leaves .venv/bin/tokenyield
	$(UV) sync --frozen --quiet

demo: setup  ## generate the demo organization when data/input holds no input
	@if ! ls $(INPUT)/people.* >/dev/null 2>&1; then \
		.venv/bin/tokenyield demo --out $(INPUT); \
	else echo "$(INPUT) already holds input: not generating the demo"; fi

build: demo  ## build the warehouse from data/input
	.venv/bin/tokenyield build --input $(INPUT) --db $(DB)

run: build  ## build, then serve the dashboard on http://localhost:$(PORT) (make run PORT=8600)
	TOKENYIELD_DB=$(DB) TOKENYIELD_LOCAL_VIEWER=$${TOKENYIELD_LOCAL_VIEWER:-demo-leader} \
		.venv/bin/streamlit run app.py --server.port $(PORT) --server.address 0.0.0.0

test: setup  ## the whole suite
	@./scripts/ensure-system-packages.sh
	.venv/bin/pytest -n 2 --dist loadfile

screenshots: setup  ## regenerate docs/images/ (the README's screenshots) from the browser test
	@./scripts/ensure-system-packages.sh
	TOKENYIELD_SCREENSHOTS=docs/images .venv/bin/pytest tests/e2e/test_browser.py -k screenshotted

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: setup  ## the 10,000-engineer year: see docs/performance.md
	.venv/bin/python bench/run.py

clean:
	rm -rf .venv .tools data/warehouse.duckdb*
