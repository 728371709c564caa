"""How many CPU threads nbtorch uses: ``set_num_threads`` and ``get_num_threads``.

nbtorch computes on ``n`` threads (``set_num_threads(n)``; by default one per core, or
``OMP_NUM_THREADS`` if it is set before Python starts, like PyTorch):

- a big op splits its work into ``n`` chunks (the samples of a batch, the rows of a
  matrix, bands of a matrix product) that ``n`` threads run at the same time: the caller and
  a pool of ``n - 1`` threads (``parallel_chunks``). numpy's loops, BLAS and the ``nogil``
  Numba kernels release Python's GIL, so the chunks really run in parallel;
- inside each chunk, numpy's BLAS library (OpenBLAS in numpy's wheels) uses ONE thread, and
  the Numba kernels are single-threaded too.

Why not let BLAS use the cores itself, as it would by default? Because of what two thread
pools (线程池) do to each other on the same cores: when a BLAS product ends, its threads do
not sleep but spin for a while (OpenBLAS: about a tenth of a second), waiting for the next
product. A training step alternates BLAS products with Numba loops (convolution columns,
pooling); with BLAS's threads spinning, the loop's second thread gets half a core, and a
two-core machine runs the step no faster with two threads than with one (measured: the
LeNet epoch of ``benchmarks/cnn_epoch.py``, 1.06 s on one thread, 1.10 s on "two"). With one
pool whose threads sleep when idle the same epoch takes 0.8 s. PyTorch follows the same
rule: one pool (OpenMP) runs its own kernels and its BLAS.

So nbtorch sets numpy's BLAS to one thread when it starts splitting work (the first time an
op is big enough, or at ``set_num_threads``). That setting is global: numpy code of your own
then also multiplies matrices on one thread.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import sys
import threading
import warnings

import numpy as np


@functools.cache
def _threadpoolctl():
    """The threadpoolctl module if it is installed, else None (looked up once: a failed import
    is slow to repeat, and get_num_threads() is called on hot paths)."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


@functools.cache
def _openblas():
    """The OpenBLAS library inside numpy's wheel, with its two thread functions, or None.

    numpy's wheels ship OpenBLAS with prefixed symbol names (``scipy_openblas_...64_`` in
    numpy 2, ``openblas_...64_`` in numpy 1).
    """
    import numpy

    here = os.path.dirname(numpy.__file__)
    for path in glob.glob(os.path.join(here, os.pardir, "numpy.libs", "*openblas*")) + glob.glob(
        os.path.join(here, ".dylibs", "*openblas*")
    ):
        lib = ctypes.CDLL(path)  # already loaded by numpy: this returns the same library
        for name in ("scipy_openblas_{}64_", "scipy_openblas_{}", "openblas_{}64_", "openblas_{}"):
            setter = getattr(lib, name.format("set_num_threads"), None)
            getter = getattr(lib, name.format("get_num_threads"), None)
            if setter is not None and getter is not None:
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                return setter, getter
    return None


def _blas_threads(n: int | None = None) -> int | None:
    """Set numpy's BLAS thread count to ``n`` (if given); return the count, None if unknown.

    threadpoolctl (optional) knows every BLAS; without it, numpy's own OpenBLAS is called.
    """
    tpc = _threadpoolctl()
    if tpc is not None:
        if n is not None:
            tpc.threadpool_limits(n, user_api="blas")
        counts = [lib["num_threads"] for lib in tpc.threadpool_info()
                  if lib["user_api"] == "blas"]
        return counts[0] if counts else None
    openblas = _openblas()
    if openblas is None:
        return None
    setter, getter = openblas
    if n is not None:
        setter(n)
    return getter()


_requested: int | None = None  # the last set_num_threads(n)


def _cap_numba(n: int) -> None:
    """Give Numba's parallel kernels ``n`` threads (at most as many as it started with)."""
    import numba

    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))


def set_num_threads(n: int) -> None:
    """Compute on ``n`` CPU threads: big ops are split into ``n`` chunks (BLAS runs one
    thread per chunk, Numba at most ``n``).

    Like ``torch.set_num_threads``. Call it at the start of a program; it works at any time.
    Numba is not imported for this: if it is not loaded yet, its cap is applied when the
    kernels first load. Example::

        >>> import nbtorch
        >>> nbtorch.set_num_threads(1)     # one core: best on a busy shared machine
        >>> nbtorch.get_num_threads()
        1
    """
    global _requested
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _requested = n
    _blas_on_one_thread()
    if "numba" in sys.modules:
        _cap_numba(n)


def get_num_threads() -> int:
    """The number of threads nbtorch computes on, like ``torch.get_num_threads``: the last
    ``set_num_threads(n)``, else ``OMP_NUM_THREADS`` (or ``OPENBLAS_NUM_THREADS``,
    ``MKL_NUM_THREADS``) if set, else the number of cores this process may use."""
    return _requested or _default_threads()


@functools.cache
def _default_threads() -> int:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


_blas_single = False  # True once numpy's BLAS has been set to one thread


def _blas_on_one_thread() -> None:
    """Set numpy's BLAS to one thread (once): nbtorch's own threads split the work."""
    global _blas_single
    if _blas_single:
        return
    _blas_single = True
    if _blas_threads(1) is None:
        warnings.warn(
            "nbtorch cannot set numpy's BLAS library to one thread here; its threads may "
            "compete with nbtorch's. Install threadpoolctl, or set OMP_NUM_THREADS=1 before "
            "starting Python and use nbtorch.set_num_threads(n)",
            stacklevel=3,
        )


def on_kernels_load() -> None:
    """Called when the Numba kernels are first imported: cap Numba at nbtorch's count.

    Nothing is done when Numba's default is already within it (starting Numba's thread
    pool early would cost the first training step about 15 ms).
    """
    import numba

    if get_num_threads() < numba.config.NUMBA_NUM_THREADS:
        _cap_numba(get_num_threads())


# -- splitting one op's work over threads -----------------------------------------------------
# numpy's loops, BLAS calls and the ``nogil`` Numba kernels all release Python's GIL, so two
# Python threads running them on two halves of a batch really compute at the same time. The
# threads of this pool sleep when idle: unlike an OpenMP pool they never spin on a core that
# other work needs. Waking one costs tens of microseconds, so only big enough work is split.

PARALLEL_MIN_COST = 1 << 18  # about 300 us of work: entries read or written by a Numba loop
PARALLEL_MIN_FLOPS = 1 << 22  # about 100 us of work: multiply-adds of a matrix product


def threads_for(array, n: int, cost: int, min_cost: int | None = None) -> int:
    """How many threads to split ``n`` independent items of work (samples, rows) over: 1 for
    small work (``cost`` < ``min_cost``, by default ``PARALLEL_MIN_COST``) or a non-numpy
    (cuda) ``array``, else up to ``get_num_threads()``."""
    if cost < (PARALLEL_MIN_COST if min_cost is None else min_cost) or n < 2 \
            or type(array) is not np.ndarray:
        return 1
    count = _requested or _default_threads()
    if count > 1 and not _blas_single:
        _blas_on_one_thread()
    return count if count < n else n


class _Worker:
    """One thread of the pool. It sleeps on a lock until it is given a chunk (``start``),
    runs it and signals on a second lock (``wait``). Waking a sleeping thread is the
    operating system's work and takes tens of microseconds (about 50 for the round trip on
    a small virtual machine); a ``concurrent.futures`` pool adds its queue and futures on
    top of that."""

    def __init__(self):
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._job = self._error = None
        threading.Thread(target=self._loop, name="nbtorch-worker", daemon=True).start()

    def _loop(self) -> None:
        _inside.busy = True  # work running here never splits again (see parallel_chunks)
        while True:
            self._go.acquire()  # sleep until start() releases it
            work, start, stop = self._job
            try:
                work(start, stop)
            except BaseException as error:  # handed to the caller by wait()
                self._error = error
            self._job = None
            self._done.release()

    def start(self, work, start: int, stop: int) -> None:
        self._job = (work, start, stop)
        self._go.release()

    def wait(self) -> None:
        self._done.acquire()
        error, self._error = self._error, None
        if error is not None:
            raise error


_workers: list = []  # the pool, grown on demand; a forked child starts with none
_inside = threading.local()  # .busy: this thread is running a chunk


def parallel_chunks(work, n: int, threads: int) -> None:
    """Call ``work(start, stop)`` on ``threads`` contiguous chunks of ``range(n)`` and wait for
    all of them: the calling thread does the first chunk itself, the pool's threads the
    others. An exception in any chunk reaches the caller (after every chunk has ended).

    A chunk that splits its own work again (a matrix product inside a convolution's chunk)
    runs it on its own thread: the threads are all busy already."""
    step = -(-n // threads) if n else 1
    if threads <= 1 or step >= n or getattr(_inside, "busy", False):
        work(0, n)
        return
    chunks = [(a, min(a + step, n)) for a in range(step, n, step)]
    with _pool_lock:  # one split at a time: two user threads must not share a worker
        while len(_workers) < len(chunks):
            _workers.append(_Worker())
        for worker, (a, b) in zip(_workers, chunks):
            worker.start(work, a, b)
        errors = []
        _inside.busy = True
        try:
            work(0, step)
        except BaseException as error:
            errors.append(error)
        finally:
            _inside.busy = False
            for worker in _workers[:len(chunks)]:
                try:
                    worker.wait()
                except BaseException as error:
                    errors.append(error)
        if errors:
            raise errors[0]


_pool_lock = threading.RLock()


def _after_fork_in_child() -> None:
    """A forked child (a DataLoader worker) has none of the parent's threads: start afresh."""
    global _pool_lock
    _workers.clear()
    _pool_lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
