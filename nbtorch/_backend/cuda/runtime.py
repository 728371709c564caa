"""Where the kernels run: the ``numba.cuda`` module, the simulator, devices and launch sizes.

``numba.cuda`` is imported here, and this module is imported only when the first cuda
tensor is made, so ``import nbtorch`` stays fast and works on machines without CUDA.

Under the simulator (``NUMBA_ENABLE_CUDASIM=1``, set before numba is imported) every
CUDA thread is a Python thread on the CPU: correct, but slow. So the launch helpers below
start few threads there, and every kernel uses a *grid-stride loop* (a thread handles
elements i, i + gridsize, i + 2 gridsize, ...) so that any number of threads covers any
number of elements.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import os
import warnings

import numpy as np

if not hasattr(np, "row_stack"):
    # numpy 2.5 removed ``row_stack`` (an old alias of ``vstack``), but numba-cuda releases
    # made before it still look the name up, and then fail inside ``cuda.is_available()`` or
    # the first kernel launch. Give the alias back before numba.cuda is imported.
    np.row_stack = np.vstack

from numba import cuda  # noqa: E402

# Numba warns at every launch of fewer than 128 blocks (low occupancy); small tensors are
# launched that way on purpose, and the warning's own cost would slow every small op down.
os.environ.setdefault("NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS", "0")
for _name in ("numba.core.config", "numba.cuda.core.config"):
    try:
        importlib.import_module(_name).CUDA_LOW_OCCUPANCY_WARNINGS = int(
            os.environ["NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS"])
    except ImportError:  # numba-cuda versions keep their settings in one of the two
        pass

SIMULATOR: bool = os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1"

# Threads per block for elementwise kernels, and at most how many blocks to start.
THREADS = 16 if SIMULATOR else 256
MAX_BLOCKS = 2 if SIMULATOR else 4096
# Threads per block for kernels that cooperate through shared memory (a power of two).
REDUCE_THREADS = 8 if SIMULATOR else 256
# At most how many blocks a row-per-block kernel (reductions, softmax) starts.
ROW_BLOCKS = 1 if SIMULATOR else 32768


def available() -> bool:
    """True when kernels can run: a CUDA GPU with its driver, or the simulator."""
    if SIMULATOR:
        return True
    try:
        return bool(cuda.is_available())
    except Exception as exc:  # a broken driver install: no GPU, but say why
        warnings.warn(f"CUDA is not usable: {type(exc).__name__}: {exc}", RuntimeWarning,
                      stacklevel=2)
        return False


def require() -> None:
    """Raise a clear error when there is neither a GPU nor the simulator."""
    if not available():
        raise RuntimeError(
            "Found no NVIDIA driver on your system: nbtorch cannot use the 'cuda' device here. "
            "Run on a machine with an NVIDIA GPU and CUDA driver, or simulate the GPU on the "
            "CPU by setting NUMBA_ENABLE_CUDASIM=1 before importing nbtorch."
        )


def device_count() -> int:
    """How many GPUs are visible (``CUDA_VISIBLE_DEVICES`` decides which ones)."""
    if not available():
        return 0
    return len(cuda.gpus)


_current = 0


def current_device() -> int:
    """The index of the device that new cuda tensors go to by default."""
    return _current


def set_device(index: int) -> None:
    """Make ``index`` the default cuda device."""
    global _current
    require()
    n = device_count()
    if not 0 <= index < n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device {index}, {n} visible)")
    _current = index
    if not SIMULATOR:
        cuda.select_device(index)


_STAY = contextlib.nullcontext()  # "switch to the device we are on already": nothing to do


def using(index: int):
    """A context manager running the launches and allocations inside on device ``index``
    (``with using(i): ...``). Nearly always ``index`` is the current device, and then it
    is a shared do-nothing context: this runs at every kernel launch."""
    if index == _current or SIMULATOR:
        return _STAY
    return cuda.gpus[index]


def blocks_for(n: int, threads: int = THREADS) -> int:
    """Enough blocks of ``threads`` threads to give each of ``n`` items a thread (capped:
    the grid-stride loops cover the rest)."""
    return max(1, min((n + threads - 1) // threads, MAX_BLOCKS))


_configured: dict = {}  # (kernel, blocks, threads) -> the kernel configured for that launch


def configure(kernel, blocks, threads):
    """``kernel[blocks, threads]``, made once per configuration and kept (on a GPU, making
    one costs Python time at every launch; the simulator's kernels configure themselves).
    On a GPU with numba-cuda it is a ``launcher.FastLauncher``: the same launch, with less
    Python per call."""
    if SIMULATOR:
        return kernel[blocks, threads]
    key = (kernel, blocks, threads)
    configured = _configured.get(key)
    if configured is None:
        from . import launcher

        configured = _configured[key] = (
            launcher.FastLauncher(kernel, blocks, threads) if launcher.ENABLED
            else kernel[blocks, threads])
    return configured


def launch(kernel, n: int):
    """``kernel`` configured for ``n`` independent items: ``launch(k, n)(args...)``."""
    return configure(kernel, blocks_for(n), THREADS)


@contextlib.contextmanager
def count_launches():
    """Count kernel launches by kernel name while the ``with`` block runs::

        with count_launches() as launches:
            loss.backward()
        sum(launches.values())  # how many kernels the backward pass started

    On a GPU a small op's time is mostly the Python cost of its launch, so this count is
    what fused kernels cut. (It wraps the launch method of Numba's configured kernels, on
    the simulator or a GPU, and restores it at the end of the block.)"""
    if SIMULATOR:
        from numba.cuda.simulator.kernel import FakeCUDAKernel

        def name_of(k):  # device functions are called through the same class: skip them
            return None if k._device else k.fn.__name__
        launchers = [(FakeCUDAKernel, name_of)]
    else:
        from numba.cuda.dispatcher import _LaunchConfiguration

        from . import launcher

        launchers = [(_LaunchConfiguration, lambda k: k.dispatcher.py_func.__name__),
                     (launcher.FastLauncher,
                      lambda k: k.launch_config.dispatcher.py_func.__name__)]

    counts = collections.Counter()
    originals = [(cls, cls.__call__) for cls, _ in launchers]

    def counting(original, name_of):
        def counted(self, *args):
            name = name_of(self)
            if name is not None:
                counts[name] += 1
            return original(self, *args)
        return counted

    for (cls, original), (_, name_of) in zip(originals, launchers):
        cls.__call__ = counting(original, name_of)
    try:
        yield counts
    finally:
        for cls, original in originals:
            cls.__call__ = original
