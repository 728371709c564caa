"""What one kernel launch costs on a real GPU, part by part (run on a machine with one).

A small op on cuda is bound by the CPU's work per launch, not by the GPU. This script takes
one launch of a small op (``x + 1.0`` on a 64 x 256 float32 tensor, the op that
``gpu_check.py`` times) and times each part of it, in microseconds per call, against
PyTorch's whole op on the same GPU::

    python benchmarks/cuda_launch_parts.py

* the whole nbtorch op (autograd bookkeeping, output allocation, launch);
* nbtorch's ``FastLauncher`` call, and inside it: numba-cuda's typing (which compiled
  version of the kernel these argument types need), packing the arguments into the
  driver's parameter list, finding the kernel loaded into the current CUDA context
  (numba-cuda's own way and FastLauncher's), and the driver call through ``cuda.core``.

Launches that end with a synchronization are timed up to the end of the last kernel; the
others are host time alone. Needs a GPU and numba-cuda (FastLauncher on).
"""

from __future__ import annotations

import time

import nbtorch
from nbtorch._backend.cuda import launcher


def per_call_us(fn, sync=None, n: int = 5000) -> float:
    """Microseconds per call of ``fn`` over ``n`` calls, after one warm-up call; with
    ``sync`` (a function waiting for the GPU), up to the end of the last kernel."""
    fn()
    nbtorch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    if sync is not None:
        sync()
    return (time.perf_counter() - t0) / n * 1e6


def last_launch(op):
    """(the FastLauncher, its arguments) of the last kernel ``op()`` launches."""
    seen = []
    call = launcher.FastLauncher.__call__

    def spy(self, *args):
        seen.append((self, args))
        return call(self, *args)

    launcher.FastLauncher.__call__ = spy
    try:
        op()
        nbtorch.cuda.synchronize()
    finally:
        launcher.FastLauncher.__call__ = call
    return seen[-1]


def main() -> None:
    if nbtorch.cuda.is_simulator() or not nbtorch.cuda.is_available() or not launcher.ENABLED:
        raise SystemExit("needs a real GPU with numba-cuda (FastLauncher on)")
    from numba.cuda import dispatcher
    from numba.cuda.cext import _dispatcher

    x = nbtorch.randn(64, 256, device="cuda")
    fast, args = last_launch(lambda: x + 1.0)
    config = fast.launch_config
    kernel, (packers, driver_config, functions) = next(
        (k, plan) for k, plan in fast.plans.items() if plan is not None)
    loaded = launcher._loaded(kernel, functions)
    params = launcher._pack(packers, args)

    def typing():
        previous = config._push_args(args)
        try:
            _dispatcher.Dispatcher._cuda_call(config.dispatcher, *args,
                                              **{dispatcher._LAUNCH_CONFIG_KW: config})
        finally:
            config._pop_args(previous)

    print(f"GPU: {nbtorch.cuda.get_device_name()}; kernel {kernel.py_func.__name__}: "
          f"{len(args)} arguments, {len(params)} driver parameters")
    sync = nbtorch.cuda.synchronize
    rows = [
        ("nbtorch op x + 1.0 (all of it)", lambda: x + 1.0, sync),
        ("FastLauncher call (all of the launch)", lambda: fast(*args), sync),
        ("  numba-cuda typing (_cuda_call)", typing, None),
        ("  packing the parameters", lambda: launcher._pack(packers, args), None),
        ("  loaded kernel, numba-cuda's get_cufunc()", kernel._codelibrary.get_cufunc, None),
        ("  loaded kernel, FastLauncher's _loaded()",
         lambda: launcher._loaded(kernel, functions), None),
        ("  driver launch (cuda.core launch)",
         lambda: dispatcher.launch(config.stream, driver_config, loaded, *params), sync),
    ]
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        tx = torch.randn(64, 256, device="cuda")
        rows.append(("torch op x + 1.0 (all of it)", lambda: tx + 1.0, torch.cuda.synchronize))
    for name, fn, wait in rows:
        print(f"{per_call_us(fn, wait):8.2f} us  {name}", flush=True)


if __name__ == "__main__":
    main()
