"""The notebook pipeline: sync.py keeps NN_x.py and NN_x.ipynb in step, nbval checks outputs."""

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SANITIZE = NOTEBOOKS / "sanitize.cfg"
sys.path.insert(0, str(NOTEBOOKS))  # sync.py imports run_course from its own folder
sync_py = importlib.import_module("sync")
TINY = """# %% [markdown]
# # A tiny chapter

# %%
print(6 * 7)

# %%
print(object())  # a new address each run: sanitize.cfg makes it compare equal
"""


def sync(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(NOTEBOOKS / "sync.py"), *args]
    return subprocess.run(command, capture_output=True, text=True)


def nbval(notebook: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), str(notebook)]
    return subprocess.run(command, capture_output=True, text=True, cwd=notebook.parent)


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """A notebooks folder holding one good pair, 00_tiny.py and 00_tiny.ipynb, made by sync.py."""
    folder = tmp_path_factory.mktemp("executed")
    (folder / "00_tiny.py").write_text(TINY)
    result = sync("--dir", str(folder), "--execute", "00_tiny")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def pair(executed, tmp_path) -> Path:
    """A fresh copy of the good pair for one test to spoil."""
    return Path(shutil.copytree(executed, tmp_path / "notebooks"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def check_fails_with(folder: Path, problem: str, capsys) -> None:
    assert sync_py.check(folder) == 1  # what `sync.py --check` runs, without a new Python
    out = capsys.readouterr().out
    assert "FAIL 00_tiny" in out
    assert f"00_tiny: {problem}" in out, out


def test_execute_stores_outputs_and_pairing(pair):
    nb = nbformat.read(pair / "00_tiny.ipynb", as_version=4)
    assert nb.cells[1].outputs[0].text == "42\n"
    assert nb.metadata.jupytext.formats == "ipynb,py:percent"
    assert "formats: ipynb,py:percent" in (pair / "00_tiny.py").read_text()


def test_check_passes_on_a_good_pair_and_names_a_bad_one(pair):
    result = sync("--check", "--dir", str(pair))
    assert result.returncode == 0, result.stdout
    assert "ok   00_tiny" in result.stdout
    edit(pair / "00_tiny.py", "6 * 7", "6 * 9")
    result = sync("--check", "--dir", str(pair))
    assert result.returncode == 1
    assert "FAIL 00_tiny (.py/.ipynb)" in result.stdout


def test_check_names_the_pair_when_the_sources_differ(pair, capsys):
    edit(pair / "00_tiny.py", "6 * 7", "6 * 9")
    check_fails_with(pair, "cell 1 source differs at line 1: .py has 'print(6 * 9)'", capsys)


def test_check_names_the_pair_when_the_tags_differ(pair, capsys):
    edit(pair / "00_tiny.py", "# %%\nprint(6", '# %% tags=["nbval-skip"]\nprint(6')
    check_fails_with(pair, "cell 1 tags differ", capsys)


def test_check_fails_on_a_missing_file(pair, capsys):
    (pair / "00_tiny.ipynb").unlink()
    check_fails_with(pair, "00_tiny.ipynb missing", capsys)


def test_check_fails_on_a_cell_that_was_not_run(pair, capsys):
    nb = nbformat.read(pair / "00_tiny.ipynb", as_version=4)
    nb.cells[2].execution_count = None
    nbformat.write(nb, pair / "00_tiny.ipynb")
    check_fails_with(pair, "code cell 2 was not run", capsys)


def test_check_fails_on_an_error_without_raises_exception_tag(pair, capsys):
    nb = nbformat.read(pair / "00_tiny.ipynb", as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="",
                                                  traceback=[])]
    nbformat.write(nb, pair / "00_tiny.ipynb")
    check_fails_with(pair, "cell 1 raised ValueError but has no raises-exception tag", capsys)


def test_check_fails_on_a_notebook_nbstripout_would_change(pair, capsys):
    nb = nbformat.read(pair / "00_tiny.ipynb", as_version=4)
    nb.cells[1].metadata["collapsed"] = True
    nbformat.write(nb, pair / "00_tiny.ipynb")
    check_fails_with(pair, "not stripped", capsys)


def test_nbval_passes_on_the_pair_and_fails_on_a_changed_output(pair):
    assert nbval(pair / "00_tiny.ipynb").returncode == 0
    edit(pair / "00_tiny.ipynb", '"42\\n"', '"43\\n"')
    result = nbval(pair / "00_tiny.ipynb")
    assert result.returncode == 1
    assert "1 failed" in result.stdout


@pytest.mark.parametrize("text", [
    "<object object at 0x7f3a2c1b9e40>",
    "epoch 1: 12.5 ms",
    "took 3 s",
    "/home/ann/nbtorch/notebooks/data",
    "~/.cache/nbtorch",
    r"C:\Users\ann\nbtorch",
    " 40%|####      | 4/10 [00:01<00:02,  3.10it/s]",
])
def test_sanitizers_hide_what_differs_between_machines(text):
    patterns = get_sanitize_patterns(SANITIZE.read_text())
    sanitized = text
    for regex, replace in patterns:
        sanitized = re.sub(regex, replace, sanitized)
    assert re.search(r"0x[0-9a-f]|\d+ ?m?s\b|ann|nbtorch|\d+/\d+", sanitized) is None, sanitized


@pytest.mark.parametrize("text", ["6 * 7 = 42", "loss 0.25 after 3 samples", "1/2", "x/y",
                                  "see https://pytorch.org/docs"])
def test_sanitizers_leave_ordinary_output_alone(text):
    patterns = get_sanitize_patterns(SANITIZE.read_text())
    assert all(re.sub(regex, replace, text) == text for regex, replace in patterns)
