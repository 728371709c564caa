"""benchmarks/run.py in --quick mode on cheap benchmarks: the table and the JSON it writes.

No timings are asserted (the machine is shared); only the structure of what is written.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def run(out: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--repeats", "1", "--out", str(out), *args],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def table_rows(md: str) -> list[list[str]]:
    """The cells of each body row of the markdown table."""
    rows = [line.strip("|").split("|") for line in md.splitlines() if line.startswith("|")]
    assert rows[0][0].strip() == "benchmark"
    assert set("".join(rows[1])) <= set("-:| ")  # the header's separator line
    return [[cell.strip() for cell in row] for row in rows[2:]]


@pytest.mark.oracle
def test_quick_run_writes_table_and_json(tmp_path):
    pytest.importorskip("torch")
    proc = run(tmp_path, "--only", "overhead,import", "--threads", "1,2")
    report = json.loads((tmp_path / "latest.json").read_text())
    started = [line for line in proc.stdout.splitlines() if line.startswith("[1/1] overhead")]
    # one process with both libraries at one thread; one process per library at two
    assert [line.endswith(("--lib nbtorch", "--lib pytorch")) for line in started] == [
        False, True, True]
    assert report["quick"] is True and report["threads"] == [1, 2]
    assert {"cpu", "cores", "numpy", "torch"} <= set(report["machine"])
    # overhead at each thread count; import (one library per process) at the first only
    assert [(r["benchmark"], r["threads"]) for r in report["rows"]] == [
        ("overhead", 1), ("overhead", 2), ("import", 1)]
    for row in report["rows"]:
        assert row["errors"] == []
        for lib in ("nbtorch", "pytorch", "ratio"):
            stats = row[lib]
            assert stats["min"] <= stats["median"] <= stats["max"]
        assert row["ratio"]["median"] == pytest.approx(
            row["nbtorch"]["median"] / row["pytorch"]["median"])
        assert row["met"] in (True, False)
    assert "numba" in report["rows"][2]["notes"]  # whether import nbtorch loaded numba

    body = table_rows((tmp_path / "latest.md").read_text())
    assert [(cells[0], cells[1]) for cells in body] == [
        ("overhead (us/op)", "1"), ("overhead (us/op)", "2"), ("import (s)", "1")]
    assert all(cells[6] in ("yes", "**no**") for cells in body)


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["mlp_epoch", "softmax_ce", "conv2d"])
def test_every_script_runs_one_library_per_process(tmp_path, name):
    """At two threads each library runs alone (``--lib``): every script must accept that."""
    pytest.importorskip("torch")
    run(tmp_path, "--only", name, "--threads", "2")
    (row,) = json.loads((tmp_path / "latest.json").read_text())["rows"]
    assert row["errors"] == []
    assert row["ratio"]["median"] == pytest.approx(
        row["nbtorch"]["median"] / row["pytorch"]["median"])


def test_without_pytorch(tmp_path):
    """A sitecustomize that hides torch: a clear line, nbtorch's figures, no ratios."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['torch'] = None\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(hide), os.environ.get("PYTHONPATH", "")])}
    proc = run(tmp_path, "--only", "matmul", "--threads", "1", env=env)
    assert "PyTorch is not installed" in proc.stdout
    (row,) = json.loads((tmp_path / "latest.json").read_text())["rows"]
    assert row["errors"] == [] and row["nbtorch"]["median"] > 0
    assert row["pytorch"] is None and row["ratio"] is None and row["met"] is None
    (cells,) = table_rows((tmp_path / "latest.md").read_text())
    assert cells[3] == cells[4] == "—"


def test_unknown_benchmark_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, str(RUN), "--only", "nope", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown benchmark" in proc.stderr
