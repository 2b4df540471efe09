# The README's first two commands: `make demo` (whole pipeline on the embedded synthetic set) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# MONAI Label's own environment: it pins numpy<2, which this project's cannot share
ML_VENV ?= .venv-monailabel
ML_PY := $(ML_VENV)/bin/python
ML_STAMP := $(ML_VENV)/.installed
DIST ?= dist
PORT ?= 8000
STUDIES ?= data/synthetic/ISIC2018_Task1-2_Training_Input

.PHONY: setup demo test benchmark bundle monailabel-env monailabel clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# A bare torch requirement pulls a multi-GB CUDA build: take the local CPU build first when none is present.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

$(ML_STAMP): scripts/monailabel/requirements.txt
	test -x $(ML_PY) || $(PYTHON) -m venv $(ML_VENV)
	$(ML_PY) -m pip install -q --upgrade pip setuptools wheel
	$(ML_PY) -c "import torch" 2>/dev/null || $(ML_PY) -m pip install -q torch==2.13.0
	# sam2 (a MONAI Label dependency) compiles CUDA code unless told not to, and builds against the installed torch
	SAM2_BUILD_CUDA=0 $(ML_PY) -m pip install -q --no-build-isolation -r scripts/monailabel/requirements.txt
	touch $(ML_STAMP)

setup: $(STAMP)

monailabel-env: $(ML_STAMP)

demo: $(STAMP)
	$(PY) scripts/run_pipeline.py $(ARGS)

test: $(STAMP) $(ML_STAMP)
	MONAILABEL_PYTHON=$(abspath $(ML_PY)) $(PY) -m pytest -q tests $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(PY) scripts/benchmark.py $(ARGS)

# the model-zoo release of the last `make demo` (ARGS="--output_dir ... --profile paper" for other runs)
bundle: $(STAMP)
	$(PY) scripts/export_bundle.py --dest $(DIST) $(ARGS)

# MONAI Label serving the release in $(DIST) on 127.0.0.1:$(PORT), studies from $(STUDIES)
monailabel: $(ML_STAMP)
	test -f $(DIST)/skin_lesion_wss/configs/metadata.json || $(MAKE) bundle
	MONAILABEL_PYEXE=$(abspath $(ML_PY)) $(ML_VENV)/bin/monailabel start_server --app scripts/monailabel/app \
		--studies $(STUDIES) --conf bundle $(abspath $(DIST))/skin_lesion_wss --conf sam2 false \
		--host 127.0.0.1 --port $(PORT)

clean:
	rm -rf output models runs $(DIST)
