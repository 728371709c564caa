"""``nbtorch.cuda``: which GPUs there are, which one is in use, and its random numbers.

The kernels behind cuda tensors are written with Numba CUDA (``nbtorch/_backend/cuda``).
Without an NVIDIA GPU they can run in Numba's *simulator*, on the CPU: set
``NUMBA_ENABLE_CUDASIM=1`` before importing nbtorch (slow, but the same code runs).

Which GPUs a program sees is decided by the environment variable ``CUDA_VISIBLE_DEVICES``
before the program starts: ``CUDA_VISIBLE_DEVICES=1 python train.py`` shows only the second
GPU, which the program then calls ``cuda:0``. Inside a program, ``set_device(i)`` picks
which of the visible GPUs ``'cuda'`` means.

Nothing here imports ``numba.cuda`` until a question needs it, so ``import nbtorch`` stays
fast.
"""

from __future__ import annotations

import contextlib
import os

from ._device import device as _device_cls


def _runtime():
    from ._backend.cuda import runtime

    return runtime


def _initialized() -> bool:
    """True once the cuda backend has been loaded (a cuda tensor was made)."""
    import sys

    return "nbtorch._backend.cuda.runtime" in sys.modules


def is_available() -> bool:
    """True when cuda tensors can be made: an NVIDIA GPU with its driver, or the simulator."""
    try:
        return _runtime().available()
    except ImportError:  # numba without CUDA support
        return False


def is_simulator() -> bool:
    """True when kernels run in Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1"


def device_count() -> int:
    """The number of visible GPUs (1 under the simulator, 0 without any)."""
    try:
        return _runtime().device_count()
    except ImportError:
        return 0


def current_device() -> int:
    """The index of the GPU that ``'cuda'`` means now."""
    return _runtime().current_device()


def _index(device) -> int:
    if isinstance(device, int):
        return device
    d = _device_cls(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_device() if d.index is None else d.index


def set_device(device) -> None:
    """Make ``device`` (an index, ``'cuda:1'`` or an ``nbtorch.device``) the default GPU."""
    _runtime().set_device(_index(device))


class device:
    """Context manager: ``with nbtorch.cuda.device(1): ...`` makes cuda:1 the default inside."""

    def __init__(self, device):
        self.index = _index(device)
        self.previous = None

    def __enter__(self):
        self.previous = current_device()
        set_device(self.index)
        return self

    def __exit__(self, *exc):
        set_device(self.previous)
        return False


def synchronize(device=None) -> None:
    """Wait until every kernel launched so far has finished (launches are asynchronous:
    time GPU code only after this)."""
    rt = _runtime()
    rt.require()
    index = current_device() if device is None else _index(device)
    with rt.using(index):
        rt.cuda.synchronize()


def get_device_name(device=None) -> str:
    """The GPU's name, e.g. ``'NVIDIA H100 80GB HBM3'``."""
    rt = _runtime()
    rt.require()
    if rt.SIMULATOR:
        return "Numba CUDA simulator"
    index = current_device() if device is None else _index(device)
    name = rt.cuda.gpus[index].name
    return name.decode() if isinstance(name, bytes) else str(name)


def memory_allocated(device=None) -> int:
    """Bytes of GPU memory in use on the device (total minus free, as the driver reports:
    this includes memory that other programs and the CUDA context hold)."""
    rt = _runtime()
    rt.require()
    if rt.SIMULATOR:
        return 0
    index = current_device() if device is None else _index(device)
    with rt.using(index):
        free, total = rt.cuda.current_context().get_memory_info()
    return int(total - free)


def manual_seed(seed: int) -> None:
    """Seed the random number generator of the current GPU."""
    from ._backend.cuda import random

    random.manual_seed(int(seed), current_device())


def manual_seed_all(seed: int) -> None:
    """Seed the random number generators of all GPUs."""
    from ._backend.cuda import random

    for i in range(max(device_count(), 1)):
        random.manual_seed(int(seed), i)


def seed() -> None:
    """Seed the current GPU's generator from the operating system's entropy."""
    manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)


@contextlib.contextmanager
def stream(stream=None):
    """Kernels run on the default stream in nbtorch; provided for code that names one."""
    yield


def empty_cache() -> None:
    """Give the GPU memory that nbtorch keeps for reuse (buffers of arrays that died, kept
    in free lists by size, as PyTorch's caching allocator does) back to the driver."""
    if _initialized():
        import importlib

        # the module, not the ``array`` function the cuda package exports under that name
        importlib.import_module("nbtorch._backend.cuda.array").empty_cache()


def count_launches():
    """Count the kernel launches made inside a ``with`` block, by kernel name::

        with torch.cuda.count_launches() as launches:
            loss.backward()
        print(sum(launches.values()), dict(launches))

    nbtorch's own teaching aid (PyTorch has a profiler instead): for a small model, each
    launch's fixed cost, not the arithmetic, is most of a GPU training step's time."""
    return _runtime().count_launches()


__all__ = ["is_available", "is_simulator", "device_count", "current_device", "set_device",
           "device", "synchronize", "get_device_name", "memory_allocated", "manual_seed",
           "manual_seed_all", "seed", "empty_cache", "count_launches"]
