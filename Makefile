# callsim: `make run` and `make test` set everything up on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
DOCS_STAMP  := $(VENV)/.docs-stamp

.PHONY: run test test-slow test-all bench lint validate clean docs docs-figures

RUN_STAMP := $(VENV)/.run-stamp

## What running needs, no more: callsim and its dependencies (`make run`, `make validate`).
$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

## Everything for tests, lint and docs snippets: the dev extra on top.
$(STAMP): $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## Run the baseline scenario; results land in results/<name>/<stamp>/.
run: $(RUN_STAMP)
	$(VENV)/bin/callsim $(ARGS)

## The default test run (under ~10 minutes on 2 cores); slow statistical tests excluded.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 -m "not slow"

## The slow statistical tests (simulation vs exact formulas); CI runs them too.
test-slow: $(STAMP)
	$(PY) -m pytest -q -n 2 -m slow

test-all: test test-slow

## Sweeps on Ray and Submitit (SLURM): installs the ray and slurm extras into the venv
## (not needed by `make test`, whose Ray/Submitit tests skip without them); CI runs it.
.PHONY: test-launchers
LAUNCHERS_STAMP := $(VENV)/.launchers-stamp
$(LAUNCHERS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,ray,slurm]'
	touch $(LAUNCHERS_STAMP)

test-launchers: $(LAUNCHERS_STAMP)
	$(PY) -c "import ray, hydra_plugins.hydra_ray_launcher, hydra_plugins.hydra_submitit_launcher"
	$(PY) -m pytest -q -m launchers tests/app/test_sweep.py

## Simulated vs exact for the validation config.
validate: $(RUN_STAMP)
	$(VENV)/bin/callsim validate $(ARGS)

## Engine throughput and memory against a textbook SimPy model and Ciw; then several call
## types and groups, and callbacks (virtual hold), each against the single queue; then the full
## customer loop (180 days, 100 agents, 200,000 customers); then scale: queue-only vs
## everything-on at 100 and 200 agents with 400,000 and 2,800,000 customers, a year of
## the 200-agent centre end to end (time, peak RSS), callsim --help and sim.compose,
## targets as PASS/MISS (several minutes); then a week's plan by
## simulation for a realistic ~30,000-call week and a ~200-agent centre; then a week of formula planning at 10,000 and
## 100,000 calls per interval; then what individual agents cost (100 and 1,000
## agents); then the size and writing time of report.html; then a sweep of 8 points,
## serial vs joblib.
bench: $(BENCH_STAMP)
	$(PY) benchmarks/bench_engine.py $(ARGS)
	$(PY) benchmarks/bench_skills.py
	$(PY) benchmarks/bench_callbacks.py
	$(PY) benchmarks/bench_journey.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_population.py
	$(PY) benchmarks/bench_plan.py
	$(PY) benchmarks/bench_formulas.py
	$(PY) benchmarks/bench_agents.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_sweep.py

## The engine's speed against an older checkout, interleaved (old, new, old, new, ...):
## `make bench-compare OLD=<git revision or folder>` (ARGS: --calls, --rounds, --repeat).
.PHONY: bench-compare
bench-compare: $(STAMP)
	@test -n "$(OLD)" || { echo "make bench-compare: set OLD=<git revision or folder>"; exit 2; }
	$(PY) benchmarks/compare_engine.py --old $(OLD) $(ARGS)

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	touch $(DOCS_STAMP)

## The documentation site (MkDocs + Material) into site/, warnings as errors. The
## snippets of the docs are executed by tests/test_doc_snippets.py (make test, test-slow).
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

## Re-draw the tutorial's figures (docs/img/lesson-*.png); a few minutes on one core.
docs-figures: $(STAMP)
	$(PY) docs/figures.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests benchmarks experiments
	$(VENV)/bin/ruff check docs/figures.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## Build the wheel, install it (not editable) into a fresh venv and run `callsim`,
## `callsim plan` and a sweep from a folder outside the checkout: what `pip install .` users get.
.PHONY: wheel-check
wheel-check: $(STAMP)
	rm -rf build/wheel-check && mkdir -p build/wheel-check/run
	$(PY) -m pip wheel --quiet --no-deps -w build/wheel-check/dist .
	$(PYTHON) -m venv build/wheel-check/venv
	build/wheel-check/venv/bin/python -m pip install --quiet build/wheel-check/dist/*.whl
	cd $$(mktemp -d) && $(CURDIR)/build/wheel-check/venv/bin/callsim run.days=1 run.replications=1 \
	  && $(CURDIR)/build/wheel-check/venv/bin/callsim plan --out plan-check \
	  && $(CURDIR)/build/wheel-check/venv/bin/callsim -m run.days=1 run.replications=1 \
	       staffing.agents=20,21 output.figures=false run.name=wsweep \
	  && $(CURDIR)/build/wheel-check/venv/bin/callsim collect results/wsweep/sweep \
	  && test -f results/baseline/*/summary.json && test -f plan-check/plan.csv \
	  && test -f results/wsweep/sweep/points.csv
	@echo "wheel-check: the installed wheel runs callsim, callsim plan and a sweep"

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache

## The seven studies of experiments/ (results/studies/<study>/; minutes at full size);
## `make studies QUICK=1` runs their tiny size, ARGS go to every study.
.PHONY: studies
studies: $(STAMP)
	for s in staffing_curve scenarios sensitivity long_horizon pooling cross_training callbacks; do \
	  $(PY) experiments/$$s.py $(if $(QUICK),--quick) $(ARGS) || exit 1; \
	done
