"""How many CPU threads nbtorch uses: ``set_num_threads`` and ``get_num_threads``.

nbtorch computes on ``n`` threads (``set_num_threads(n)``; by default one per core, or
``OMP_NUM_THREADS`` if it is set before Python starts, like PyTorch). Two thread pools
(线程池) can do the work, and they behave differently when idle:

- numpy's BLAS library (OpenBLAS in numpy's wheels) has its own threads for a matrix
  product. When a product ends they do not sleep: they spin, waiting for the next one, for
  about a tenth of a second. That makes back-to-back products fast (an MLP's training step
  is little else: handing work to a spinning thread takes a microsecond);
- nbtorch's own pool (``parallel_chunks``) splits a big convolution, pooling or cross
  entropy into ``n`` chunks of samples or rows, run at the same time by the caller and
  ``n - 1`` threads. numpy's loops, BLAS and the ``nogil`` Numba kernels release Python's
  GIL, so the chunks really run in parallel. These threads sleep when idle; waking one
  costs tens of microseconds, so only big work is split.

Spinning BLAS threads and nbtorch's threads must not meet: a chunk whose core is taken by a
spinning BLAS thread runs at half speed, and two threads are then no faster than one
(measured: the LeNet epoch of ``benchmarks/cnn_epoch.py`` took 1.06 s on one thread and
1.10 s on "two" that way; 0.8 s once they did not meet). So nbtorch decides BLAS's thread
count before each product (``blas_for_product``): ``n`` threads for a big product
(``PARALLEL_MIN_FLOPS`` multiply-adds or more, an MLP's layers), one thread for a small one
(BLAS would otherwise thread medium products, like LeNet's), and one thread inside the
chunks of a split (each chunk already has its own core). The Numba kernels are
single-threaded, so Numba's own pool never starts.

One case still mixes the two: a model with big matrix products *and* split convolutions
(a large CNN with large linear layers) has BLAS threads spinning after its linear layers
while the next step's convolutions run: it stays correct, the convolutions just gain less
from the second thread.

nbtorch changes numpy's BLAS thread count (a global setting) only when it multiplies
matrices or splits work; numpy code of your own runs with what nbtorch last set.
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


_requested: int | None = None  # the last set_num_threads(n)


def _cap_numba(n: int) -> None:
    """Give Numba's parallel kernels ``n`` threads (at most as many as it started with)."""
    import numba

    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))


def set_num_threads(n: int) -> None:
    """Compute on ``n`` CPU threads: big matrix products get ``n`` BLAS threads, big
    convolutions, pooling and cross entropy are split into ``n`` chunks (see above).

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
    if "numba" in sys.modules:
        _cap_numba(n)


def get_num_threads() -> int:
    """The number of threads nbtorch computes on, like ``torch.get_num_threads``: the last
    ``set_num_threads(n)``, else ``OMP_NUM_THREADS`` (or ``OPENBLAS_NUM_THREADS``,
    ``MKL_NUM_THREADS``) if set, else the number of cores this process may use."""
    return _requested or _default_threads()


@functools.cache
def _default_threads() -> int:
    """The thread count when ``set_num_threads`` was never called (read once)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# -- numpy's BLAS: nbtorch's threads for a big matrix product, one thread otherwise ----------

_blas_now: int | None = None  # the thread count nbtorch last gave BLAS (None: not yet)


def use_blas_threads(n: int) -> None:
    """Give numpy's BLAS ``n`` threads unless it has them (a cheap call into numpy's own
    OpenBLAS). With another BLAS, where changing threads is slow (threadpoolctl), BLAS is set
    to one thread once and left there."""
    global _blas_now
    if n == _blas_now:
        return
    openblas = _openblas()
    if openblas is not None:
        openblas[0](n)
        _blas_now = n
    elif _blas_now is None:
        _blas_now = 1
        tpc = _threadpoolctl()
        if tpc is not None:
            tpc.threadpool_limits(1, user_api="blas")
        else:
            warnings.warn(
                "nbtorch cannot set the threads of numpy's BLAS library here; its threads "
                "may compete with nbtorch's. Install threadpoolctl, or set OMP_NUM_THREADS=1 "
                "before starting Python and use nbtorch.set_num_threads(n)",
                stacklevel=3,
            )


def blas_for_product(multiply_adds: int) -> None:
    """Before a matrix product: BLAS gets nbtorch's threads for a big one (outside a split
    chunk), one thread for a small one. (BLAS would thread medium products itself, and its
    threads would then spin for a tenth of a second after each, taking the cores nbtorch's
    own threads need for the next convolution or pooling.)"""
    big = multiply_adds >= PARALLEL_MIN_FLOPS and not getattr(_inside, "busy", False)
    use_blas_threads((_requested or _default_threads()) if big else 1)


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
PARALLEL_MIN_FLOPS = 1 << 22  # multiply-adds of a matrix product worth BLAS's threads


def threads_for(array, n: int, cost: int, min_cost: int | None = None) -> int:
    """How many threads to split ``n`` independent items of work (samples, rows) over: 1 for
    small work (``cost`` < ``min_cost``, by default ``PARALLEL_MIN_COST``) or a non-numpy
    (cuda) ``array``, else up to ``get_num_threads()``."""
    if cost < (PARALLEL_MIN_COST if min_cost is None else min_cost) or n < 2 \
            or type(array) is not np.ndarray:
        return 1
    count = _requested or _default_threads()
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
_pool_lock = threading.Lock()  # one split at a time: two user threads must not share a worker


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
    use_blas_threads(1)  # each chunk's BLAS calls run on that chunk's thread
    with _pool_lock:
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


def _after_fork_in_child() -> None:
    """A forked child (a DataLoader worker) has none of the parent's threads: start afresh."""
    global _pool_lock
    _workers.clear()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
