"""nbtorch.set_num_threads / get_num_threads: BLAS follows, Numba follows, numba not imported.

Each check that changes thread pools runs in a fresh Python process, so the test process
keeps its own settings.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
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


BLAS_COUNT = """
def blas_count():  # what numpy's OpenBLAS itself reports
    from nbtorch._threads import _openblas
    found = _openblas()
    return found[1]() if found else -1
"""


def test_blas_runs_one_thread_once_nbtorch_splits_work():
    out = run_python(
        BLAS_COUNT
        + """
import numpy as np
import nbtorch
print(blas_count())
nbtorch.ones(4, 4) @ nbtorch.ones(4, 4)  # small: nothing is split, BLAS untouched
print(blas_count())
a = nbtorch.ones(512, 512)
a @ a  # big: split over nbtorch's threads, each calling BLAS on one thread
print(blas_count(), nbtorch.get_num_threads())
""",
        OMP_NUM_THREADS="2",
    )
    start, after_small, after_big, ours = map(int, out.split())
    if start == -1:
        pytest.skip("numpy's BLAS is not the OpenBLAS of its wheels")
    assert start == after_small == 2  # import and small ops leave BLAS alone
    assert (after_big, ours) == (1, 2)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_nbtorch_thread_pool_starts_for_big_work():
    """Independent of nbtorch's own report: the operating system sees the pool's threads."""
    out = run_python(
        """
        import os
        import nbtorch
        nbtorch.set_num_threads(3)
        a = nbtorch.ones(512, 512)
        before = len(os.listdir("/proc/self/task"))
        a @ a
        print(before, len(os.listdir("/proc/self/task")))
        """,
        OPENBLAS_NUM_THREADS="1",
    )
    before, after = map(int, out.split())
    assert after == before + 2  # the caller computes one chunk, two pool threads the others


@pytest.mark.parametrize("shape", [(300, 200, 250), (40, 300, 700), (3, 5000, 400)])
@pytest.mark.parametrize("transposed", [False, True])
def test_split_matmul_equals_numpy(shape, transposed):
    """Bands of rows (tall result) or of columns (wide result), from any strides."""
    from nbtorch._backend import cpu

    m, k, n = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((k, m)).T if transposed else rng.standard_normal((m, k))
    y = rng.standard_normal((n, k)).T if transposed else rng.standard_normal((k, n))
    before = nbtorch.get_num_threads()
    try:
        nbtorch.set_num_threads(3)
        got = cpu.matmul(x, y)
        out = np.empty((m, n))
        assert cpu.matmul(x, y, out=out) is out
    finally:
        nbtorch.set_num_threads(before)
    want = x @ y
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    np.testing.assert_array_equal(out, got)
    with pytest.raises(ValueError, match="mismatch"):
        cpu.matmul(x, y[:-1])


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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_starts_its_own_pool():
    """A DataLoader worker is a fork: the parent's pool threads do not exist in it."""
    out = run_python(
        """
        import os
        import nbtorch
        nbtorch.set_num_threads(2)
        a = nbtorch.ones(512, 512)
        a @ a  # the parent's pool thread starts
        pid = os.fork()
        if pid == 0:
            ok = bool(((a @ a) == 512).all())  # would wait forever on the parent's thread
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        """
    )
    assert out == "0"


def test_split_work_covers_every_item_once_and_nests_without_deadlock():
    from nbtorch import _threads

    seen = []

    def outer(a, b):
        seen.append(("outer", a, b))
        _threads.parallel_chunks(lambda c, d: seen.append(("inner", c, d)), 4, 2)

    _threads.parallel_chunks(outer, 10, 3)
    assert sorted(x for x in seen if x[0] == "outer") == [
        ("outer", 0, 4), ("outer", 4, 8), ("outer", 8, 10)]
    assert [x for x in seen if x[0] == "inner"] == [("inner", 0, 4)] * 3  # not split again


@pytest.mark.parametrize("failing_chunk", [0, 1])
def test_split_errors_reach_the_caller_and_the_pool_still_works(failing_chunk):
    from nbtorch import _threads

    def work(a, b):
        if a == failing_chunk * 5:
            raise KeyError(f"chunk {a}")

    with pytest.raises(KeyError, match=f"chunk {failing_chunk * 5}"):
        _threads.parallel_chunks(work, 10, 2)
    done = []
    _threads.parallel_chunks(lambda a, b: done.append((a, b)), 10, 2)
    assert sorted(done) == [(0, 5), (5, 10)]
