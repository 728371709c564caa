"""A cuda training step through numba-cuda's real launch path, on a machine without a GPU.

On a GPU a small model's step is bound by the CPU: nbtorch's Python for every op, then
numba-cuda's Python for every kernel launch (choosing the compiled kernel, packing its
arguments), then the driver call. This script runs all of that for real and stubs out
only what needs a GPU: memory (fake device pointers), module loading, copies, and the
final driver call, which does nothing (cuda.core still packs the parameters into C values
just before it, as on a GPU). Kernels are compiled to PTX for compute capability
9.0 (numba-cuda's NVVM) but never run, so the numbers they would compute are garbage and
ignored. It needs numba-cuda (``pip install -e '.[cuda]'``; ``make gpu-compile-check``
makes ``.venv-cuda/`` with it)::

    .venv-cuda/bin/python benchmarks/cuda_launch_stub.py            # time the MLP step
    .venv-cuda/bin/python benchmarks/cuda_launch_stub.py --numba    # numba-cuda's launch only
    .venv-cuda/bin/python benchmarks/cuda_launch_stub.py --check    # see below
    .venv-cuda/bin/python benchmarks/cuda_launch_stub.py --rehearse-gpu-check

It times gpu_check's MLP step (784-256-128-10, batch 64, SGD with momentum), once with
nbtorch's ``FastLauncher`` (``nbtorch/_backend/cuda/launcher.py``) and, with ``--numba``,
with numba-cuda's own launch. ``--check`` instead runs that step, a LeNet-5 step and a
sweep of ops with ``launcher.CHECK`` on: every launch's packed parameters are compared, as
the C values the driver gets, with those numba-cuda's ``_prepare_args`` makes for the same
arguments, and any difference fails. ``--rehearse-gpu-check`` runs all of
``gpu_check.py`` this way before a GPU session: its GPU-only Python (full sizes, a GPU's
launch sizes) runs to the end or shows its error, and its times are host time alone. Its
correctness checks fail: no kernel runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from ctypes import c_void_p

os.environ.pop("NUMBA_ENABLE_CUDASIM", None)  # the real numba.cuda, before numba loads

import numpy as np  # noqa: E402

CC = (9, 0)


def stub_the_driver() -> None:
    """Replace what needs a GPU in numba-cuda: the context, memory, module loading,
    copies and the launch call itself (its parameters are still packed, by cuda.core)."""
    from cuda.core._kernel_arg_handler import ParamHolder
    from numba import cuda
    from numba.cuda import codegen, compiler, dispatcher
    from numba.cuda.cudadrv import devicearray, devices
    from numba.cuda.cudadrv.driver import binding

    class Device:
        compute_capability = CC
        id = 0
        name = b"no GPU: driver stubbed"

    class Memory:  # a fake device allocation: distinct, made-up addresses
        next_address = 1 << 20

        def __init__(self, size):
            self.size = size
            self.handle = self.device_pointer_value = Memory.next_address
            self.device_ctypes_pointer = c_void_p(self.handle)
            self.owner = self
            Memory.next_address += max(size, 256)

        def own(self):
            return self

        def view(self, start, stop=None):
            return Memory(max((self.size if stop is None else stop) - start, 0))

    class Context:
        device = Device()

        def memalloc(self, size):
            return Memory(size)

        def get_memory_info(self):
            return (1 << 33, 1 << 34)

    class LoadedModule:
        initialized = True

    class Function:  # what get_cufunc returns: a loaded kernel
        kernel = "a loaded kernel"  # (not None: FastLauncher caches it)
        name = "stub"
        module = LoadedModule()

    devices._runtime._set_attached_context(Context())
    devices._runtime.ensure_context = contextlib.nullcontext
    dispatcher.get_current_device = compiler.get_current_device = Device
    # cuda.core's launch packs the parameters into C values (its ParamHolder: host code,
    # its cost depends on the parameters' Python types), then calls the driver: the
    # stub packs them the same way and calls nothing
    dispatcher.launch = lambda stream, config, kernel, *params: ParamHolder(params)
    binding.cuCtxGetCurrent = lambda: (0, 1)  # "context 1 is current" (read by FastLauncher)

    get_cufunc = codegen.CUDACodeLibrary.get_cufunc

    def get_cufunc_stub(library):
        library._cufunc_cache.setdefault(0, Function())
        return get_cufunc(library)  # numba-cuda's code, finding the stub in its cache

    def copy_to_host(array, ary=None, stream=0):
        if ary is None:
            return np.zeros(array.shape, array.dtype)
        ary[...] = 0
        return ary

    codegen.CUDACodeLibrary.get_cufunc = get_cufunc_stub
    devicearray.DeviceNDArray.copy_to_host = copy_to_host
    devicearray.DeviceNDArray.copy_to_device = lambda array, ary, stream=0: None
    cuda.is_available = lambda: True
    cuda.synchronize = lambda: None

    class Gpu(contextlib.nullcontext):
        name = Device.name
        id = 0

    cuda.gpus = [Gpu()]


def training_step(nbtorch, make_model, side: int):
    """One SGD step of gpu_check's kind (batch 64) on cuda, as a function of the step."""
    nbtorch.manual_seed(0)
    model = make_model(nbtorch).cuda()
    opt = nbtorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nbtorch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    X = nbtorch.tensor(rng.standard_normal((640, 1, side, side)).astype(np.float32)).cuda()
    Y = nbtorch.tensor(rng.integers(0, 10, 640)).cuda()

    def step(i: int) -> None:
        j = i % 10
        opt.zero_grad()
        loss_fn(model(X[j * 64:(j + 1) * 64]), Y[j * 64:(j + 1) * 64]).backward()
        opt.step()
    return step


def op_sweep(nbtorch) -> None:
    """Launch kernels of every family once: strided views, broadcasting, reductions,
    indexing, scans, softmax, convolution and pooling, random numbers."""
    F = nbtorch.nn.functional
    x = nbtorch.randn(6, 5, device="cuda")
    b = nbtorch.randn(5, device="cuda")
    i = nbtorch.tensor([0, 2, 4], device="cuda")
    (x.t().exp() + 1).tanh()
    x * b, x.T @ x, nbtorch.where(x > 0, x, b)
    x.sum(0), x.sum(1), x.sum(), x.max(1), x.argmax(0), x.cumsum(1), x.round()
    x[i], x[:, i], x.t()[i], x.index_add(0, i, x[i])
    F.softmax(x, 1), F.log_softmax(x, 0), x.to(nbtorch.float64), x.long() % 3
    images = nbtorch.randn(2, 3, 8, 8, device="cuda")
    w = nbtorch.randn(4, 3, 3, 3, device="cuda", requires_grad=True)
    y = F.max_pool2d(F.conv2d(images, w, padding=1), 2)
    y.sum().backward()
    nbtorch.rand(100, device="cuda"), nbtorch.randint(0, 9, (7,), device="cuda")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200, help="timed steps per repetition")
    p.add_argument("--repeats", type=int, default=5, help="repetitions (the median is shown)")
    p.add_argument("--numba", action="store_true", help="also time numba-cuda's own launch")
    p.add_argument("--check", action="store_true",
                   help="compare every packed launch with numba-cuda's, time nothing")
    p.add_argument("--rehearse-gpu-check", action="store_true",
                   help="run gpu_check.py with the driver stubbed (its checks fail)")
    args = p.parse_args()
    stub_the_driver()
    import runpy

    if args.rehearse_gpu_check:
        print("kernels do not run here: every correctness check FAILs, times are host time")
        sys.argv = ["gpu_check.py"]
        runpy.run_path(os.path.join(os.path.dirname(__file__), "gpu_check.py"),
                       run_name="__main__")
        return

    import nbtorch
    from nbtorch._backend.cuda import launcher
    from nbtorch._backend.cuda.runtime import count_launches

    if not launcher.ENABLED:
        sys.exit("nbtorch's FastLauncher is off (numba-cuda missing, or "
                 "NBTORCH_CUDA_FAST_LAUNCH=0)")
    gpu_check = runpy.run_path(os.path.join(os.path.dirname(__file__), "gpu_check.py"),
                               run_name="gpu_check")
    mlp = training_step(nbtorch, gpu_check["_mlp"], 28)
    if args.check:
        launcher.CHECK = True
        with count_launches() as launches:
            for i in range(3):
                mlp(i)
            training_step(nbtorch, gpu_check["_lenet"], 28)(0)
            op_sweep(nbtorch)
        print(f"FastLauncher packed {sum(launches.values())} launches of {len(launches)} "
              "kernels into the same C values as numba-cuda")
        return

    def time_steps(label: str) -> None:
        for i in range(3):  # compiles the kernels; the first step makes momentum buffers
            mlp(i)
        with count_launches() as launches:
            mlp(0)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for i in range(args.steps):
                mlp(i)
            times.append((time.perf_counter() - t0) / args.steps)
        print(f"MLP step, {label}: {statistics.median(times) * 1e6:.0f} us "
              f"(median of {args.repeats} x {args.steps} steps; "
              f"{sum(launches.values())} launches per step)", flush=True)

    time_steps("nbtorch's FastLauncher")
    if args.numba:
        with gpu_check["_numba_launch"](True):
            time_steps("numba-cuda's launch")


if __name__ == "__main__":
    main()
