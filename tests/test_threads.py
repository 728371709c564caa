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


def test_blas_threads_follow_the_size_of_each_product():
    """Big products get nbtorch's threads inside BLAS, small ones and split work one."""
    out = run_python(
        BLAS_COUNT
        + """
import numpy as np
import nbtorch
import nbtorch.nn.functional as F
print(blas_count())
a = nbtorch.ones(512, 512)
a @ a  # 134M multiply-adds: BLAS's threads
print(blas_count())
nbtorch.ones(4, 4) @ nbtorch.ones(4, 4)  # small: one thread
print(blas_count())
a @ a
F.conv2d(nbtorch.ones(8, 8, 32, 32), nbtorch.ones(8, 8, 3, 3))  # split over samples
print(blas_count(), nbtorch.get_num_threads())
""",
        OMP_NUM_THREADS="3",
    )
    start, big, small, split, ours = map(int, out.split())
    if start == -1:
        pytest.skip("numpy's BLAS is not the OpenBLAS of its wheels")
    assert (big, small, split, ours) == (3, 1, 1, 3)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_nbtorch_thread_pool_starts_for_big_work():
    """Independent of nbtorch's own report: the operating system sees the pool's threads."""
    out = run_python(
        """
        import os
        import nbtorch
        import nbtorch.nn.functional as F
        nbtorch.set_num_threads(3)
        x = nbtorch.ones(8, 16, 64, 64)
        before = len(os.listdir("/proc/self/task"))
        F.max_pool2d(x, 2)  # split over samples
        print(before, len(os.listdir("/proc/self/task")))
        """,
        OPENBLAS_NUM_THREADS="1",
    )
    before, after = map(int, out.split())
    assert after == before + 2  # the caller computes one chunk, two pool threads the others


@pytest.mark.parametrize("transposed", [False, True])
def test_backend_matmul_equals_numpy(transposed):
    from nbtorch._backend import cpu

    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 200)).T if transposed else rng.standard_normal((200, 300))
    y = rng.standard_normal((250, 300)).T if transposed else rng.standard_normal((300, 250))
    np.testing.assert_array_equal(cpu.matmul(x, y), np.matmul(x, y))
    out = np.empty((200, 250))
    assert cpu.matmul(x, y, out=out) is out
    np.testing.assert_array_equal(out, np.matmul(x, y))
    with pytest.raises(ValueError, match="mismatch"):
        cpu.matmul(x, y[:-1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_starts_its_own_pool():
    """A DataLoader worker is a fork: the parent's pool threads do not exist in it."""
    out = run_python(
        """
        import os
        import nbtorch
        import nbtorch.nn.functional as F
        nbtorch.set_num_threads(2)
        x = nbtorch.ones(8, 16, 64, 64)
        F.max_pool2d(x, 2)  # the parent's pool thread starts
        pid = os.fork()
        if pid == 0:
            ok = bool((F.max_pool2d(x, 2) == 1).all())  # would wait on the parent's thread
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
