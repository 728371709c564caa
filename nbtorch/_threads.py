"""How many CPU threads nbtorch uses: ``set_num_threads`` and ``get_num_threads``.

Two thread pools do nbtorch's work on the CPU (线程池 thread pool):

- numpy's BLAS library (OpenBLAS in numpy's wheels) runs matmul and the matrix product of
  every convolution;
- Numba runs the kernels compiled with ``parallel=True``.

Ops run one after another, so the two pools never compute at the same time; but a pool
whose threads outnumber the free cores makes its threads wait for each other
(oversubscription, 过度订阅), which on a busy two-core machine is slower than one thread.
So nbtorch keeps ONE number: BLAS gets ``n`` threads and Numba at most ``n``.

Defaults: BLAS keeps its own default (one thread per core, or ``OPENBLAS_NUM_THREADS`` /
``OMP_NUM_THREADS`` if set before Python starts), like PyTorch's default of one thread per
core. When the Numba kernels first load, Numba is capped at the BLAS thread count, so that
``OPENBLAS_NUM_THREADS=1`` also makes Numba single-threaded.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import sys
import warnings


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


_requested: int | None = None  # the last set_num_threads(n), for when BLAS cannot be asked


def _cap_numba(n: int) -> None:
    """Give Numba's parallel kernels ``n`` threads (at most as many as it started with)."""
    import numba

    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))


def set_num_threads(n: int) -> None:
    """Use ``n`` CPU threads for BLAS (matmul, convolution) and at most ``n`` for Numba.

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
    if _blas_threads(n) is None:
        warnings.warn(
            "nbtorch cannot change the thread count of numpy's BLAS library here; "
            "install threadpoolctl, or set OMP_NUM_THREADS before starting Python",
            stacklevel=2,
        )
    if "numba" in sys.modules:
        _cap_numba(n)


def get_num_threads() -> int:
    """The number of threads BLAS uses (and the most that Numba uses), like PyTorch's."""
    return _blas_threads() or _requested or os.cpu_count() or 1


def on_kernels_load() -> None:
    """Called when the Numba kernels are first imported: cap Numba at the BLAS count.

    Nothing is done when Numba's default is already within it (starting Numba's thread
    pool early would cost the first training step about 15 ms).
    """
    import numba

    if get_num_threads() < numba.config.NUMBA_NUM_THREADS:
        _cap_numba(get_num_threads())
