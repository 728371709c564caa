# nbtorch: make course | make test | make lab | make grade
# Each target first makes .venv (once) with nbtorch and its dev tools installed.

VENV   := .venv
PYTHON := $(VENV)/bin/python
# pytest-xdist for the notebooks and tests; `make test XDIST=` runs in one process.
XDIST  := -n 2 --dist loadfile
# Graded exercises (exercises/, nbgrader): autograde every reference solution, released
# stub and wrong answer, and check release/ is up to date (a few minutes: kernels start).
TEST_EXERCISES := $(PYTHON) -m pytest $(XDIST) tests/exercises/

# CUDA kernels run on Numba's simulator (on the CPU) unless you set
# NUMBA_ENABLE_CUDASIM=0 to use a real GPU; `make test` always simulates.
export NUMBA_ENABLE_CUDASIM ?= 1

.PHONY: course test lab grade gpu-compile-check

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -e '.[dev]'

# Run every notebook headless; executed copies and HTML go to build/course/.
course: $(PYTHON)
	$(PYTHON) notebooks/run_course.py

test: export NUMBA_ENABLE_CUDASIM := 1
test: $(PYTHON)
	$(VENV)/bin/ruff check .
	$(PYTHON) -m pytest $(XDIST) --ignore=tests/exercises tests/
	$(PYTHON) -m pytest $(XDIST) --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg notebooks/
	$(PYTHON) notebooks/sync.py --check
	$(TEST_EXERCISES)

# Compile every CUDA kernel for a real GPU, without one (benchmarks/gpu_compile_check.py):
# the simulator runs kernels as Python and would not notice code a GPU cannot compile. Uses
# a second environment, .venv-cuda, with numba-cuda and its compiler (about 1 GB).
CUDA_VENV := .venv-cuda
gpu-compile-check:
	test -x $(CUDA_VENV)/bin/python || python3 -m venv $(CUDA_VENV)
	$(CUDA_VENV)/bin/python -m pip install --quiet -e '.[dev,cuda]'
	$(CUDA_VENV)/bin/python benchmarks/gpu_compile_check.py

# Autograde students' notebooks, laid out as SUBMISSIONS/<student>/<exercise>/<exercise>.ipynb:
# writes $(GRADES)/grades.csv and $(GRADES)/<student>/report.md (+ HTML feedback).
# TIMEOUT: seconds a cell may run before it is stopped.
SUBMISSIONS :=
GRADES  := build/grades
TIMEOUT := 60
grade: $(PYTHON)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path"; exit 2; }
	$(PYTHON) exercises/grade.py $(SUBMISSIONS) --out $(GRADES) --timeout $(TIMEOUT)

# JupyterLab on notebooks/, with the `nbtorch` kernel (this .venv) registered for you.
# More options through LAB_FLAGS, e.g. `make lab LAB_FLAGS=--allow-root` in a container.
LAB_FLAGS :=
lab: $(PYTHON)
	$(PYTHON) -m ipykernel install --user --name nbtorch --display-name "Python (nbtorch)"
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --notebook-dir notebooks $(LAB_FLAGS)
