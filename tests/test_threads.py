"""nbtorch.set_num_threads / get_num_threads: BLAS follows, Numba follows, numba not imported.

Each check that changes thread pools runs in a fresh Python process, so the test process
keeps its own settings.
"""

import os
import subprocess
import sys
import textwrap

import pytest

import nbtorch


def run_python(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter; return its stdout (fails the test on error)."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_setting_is_reported_back():
    before = nbtorch.get_num_threads()
    try:
        for n in (1, 2, 3):
            nbtorch.set_num_threads(n)
            assert nbtorch.get_num_threads() == n
    finally:
        nbtorch.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1])
def test_non_positive_is_refused(bad):
    with pytest.raises(RuntimeError, match="positive integer"):
        nbtorch.set_num_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", True])
def test_non_int_is_refused(bad):
    with pytest.raises(RuntimeError, match="expects an int"):
        nbtorch.set_num_threads(bad)


@pytest.mark.oracle
@pytest.mark.parametrize("bad", [0, 1.5, "2"])
def test_errors_match_pytorch(bad):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as ours:
        nbtorch.set_num_threads(bad)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_blas_thread_pool_grows():
    """Independent of nbtorch's own report: the operating system sees BLAS start a thread."""
    out = run_python(
        """
        import os
        import numpy as np
        import nbtorch
        a = np.ones((256, 256), np.float32)
        a @ a
        before = len(os.listdir("/proc/self/task"))
        nbtorch.set_num_threads(3)
        a @ a
        print(before, len(os.listdir("/proc/self/task")))
        """,
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    before, after = map(int, out.split())
    assert after >= before + 2


def test_setting_does_not_import_numba():
    out = run_python(
        """
        import sys
        import nbtorch
        print("numba" in sys.modules)
        nbtorch.set_num_threads(1)
        print("numba" in sys.modules)
        """
    )
    assert out.split() == ["False", "False"]


def test_numba_follows_when_loaded():
    out = run_python(
        """
        import numba
        import nbtorch
        nbtorch.set_num_threads(1)
        print(numba.get_num_threads())
        nbtorch.set_num_threads(64)
        print(numba.get_num_threads(), numba.config.NUMBA_NUM_THREADS)
        """
    )
    one, capped, most = map(int, out.split())
    assert one == 1
    assert capped == most  # never more than Numba started with


def test_numba_capped_when_kernels_load():
    out = run_python(
        """
        import sys
        import nbtorch
        nbtorch.set_num_threads(1)
        assert "numba" not in sys.modules
        from nbtorch._backend.cpu_kernels import conv  # noqa: F401  (loads numba)
        import numba
        print(numba.get_num_threads())
        """
    )
    assert out == "1"


def test_blas_env_caps_numba():
    """OPENBLAS_NUM_THREADS=1 (read by BLAS at start) also makes the Numba kernels single."""
    out = run_python(
        """
        import nbtorch
        from nbtorch._backend.cpu_kernels import pool  # noqa: F401
        import numba
        print(nbtorch.get_num_threads(), numba.get_num_threads())
        """,
        OPENBLAS_NUM_THREADS="1",
    )
    assert out.split() == ["1", "1"]
