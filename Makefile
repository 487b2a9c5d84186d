# coopsim: `make demo` runs the baseline scenario, `make test` runs the test suite.
# Both build .venv from pyproject.toml when it is missing or older than pyproject.toml.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# A Python >= 3.12: python3 as .python-version selects it (pyenv), then python3.12,
# python3.13, then pyenv's own installs if its shims are not on PATH.
PYTHON ?= $(shell for c in python3 python3.12 python3.13 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  v=$$($$c -c 'import sys; print(int(sys.version_info >= (3, 12)))' 2>/dev/null) && [ "$$v" = 1 ] && { command -v $$c; break; }; \
	done)

.PHONY: demo test venv bench clean golden identity docs fuzz
venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "coopsim needs Python >= 3.12; none found (tried python3 via .python-version, python3.12, python3.13)." >&2; \
	  echo "Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 test" >&2; exit 2; fi
	@echo "Building $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/coopsim run scenarios/baseline.toml --reps 10 --out results/demo --force

# On two workers (pytest-xdist); tests/conftest.py hands the tests out by module, the longest
# first, and runs the tests marked `alone` (latency targets) with no other test beside them.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	$(PY) benchmarks/bench_run.py
	$(PY) benchmarks/bench_sensitivity.py

# Bit-identity of results (tests/identity): `make identity` runs the fingerprints of the
# working tree and of REF (a git worktree, default the commit before the architecture
# refactoring) and compares them; `make golden` records the working tree's as the reference
# that `make test` checks (only for a change meant to change results).
IDENTITY_REF ?= f65c78f
identity: $(STAMP)
	@rm -rf .identity-ref && git worktree add --detach -q .identity-ref $(IDENTITY_REF)
	$(PY) tests/identity/fingerprint.py --src .identity-ref/src --out .identity-ref.json; \
	  rc=$$?; if [ $$rc = 0 ]; then $(PY) tests/identity/fingerprint.py --compare .identity-ref.json --out /dev/null; rc=$$?; fi; \
	  git worktree remove --force .identity-ref; rm -f .identity-ref.json; exit $$rc

golden: $(STAMP)
	$(PY) tests/identity/fingerprint.py --out tests/identity/golden.json

# The documentation site (MkDocs), built offline into site/.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

# The large fuzz run (tests/fuzz: thousands of generated inputs); make test runs a small one.
fuzz: $(STAMP)
	COOPSIM_FUZZ=large $(PY) -m pytest -q tests/test_fuzz.py

clean:
	rm -rf $(VENV) results
