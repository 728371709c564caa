"""nbtorch.show_config() names what a bug report needs."""

import subprocess
import sys
from pathlib import Path

from nbtorch._config import data_root, show_config


def test_show_config_names_the_key_items(capsys):
    show_config()
    out = capsys.readouterr().out
    for item in ["nbtorch", "Python", "numpy", "numba", "llvmlite", "BLAS", "CUDA", "graphviz",
                 "data root"]:
        assert item in out, f"show_config() does not mention {item}:\n{out}"
    import numpy

    assert numpy.__version__ in out


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NBTORCH_DATA", str(tmp_path / "data"))
    assert data_root() == tmp_path / "data"
    monkeypatch.delenv("NBTORCH_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_root() == tmp_path / "cache" / "nbtorch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data_root() == Path.home() / ".cache" / "nbtorch"


def test_import_nbtorch_does_not_import_numba_cuda():
    code = "import sys, nbtorch; print('numba.cuda' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
