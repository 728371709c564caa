"""Compile every CUDA kernel nbtorch launches for a real GPU, on a machine without one.

The simulator runs a kernel's Python source, so it accepts code that Numba cannot compile
for a GPU: a kernel calling a plain Python function, a type that does not unify, a numpy
call that has no GPU version. Such a kernel passes every simulated test and fails on the
first GPU. This check closes that gap without a GPU. With numba-cuda and its NVVM compiler
installed (``pip install -e '.[cuda]'``), every kernel launch is

1. compiled to PTX for a real GPU (compute capability 9.0, an H100; ``GPU_COMPILE_CC=8.0``
   picks another) by numba-cuda's compiler, for the argument types of that launch, and
2. then run by numba-cuda's simulator, so that the program goes on and checks its results
   as usual.

A kernel that does not compile raises ``KernelCompileError``, naming the kernel, the
argument types and Numba's message, and the test or check that launched it fails.

    make gpu-compile-check                       # or, in an environment with .[cuda]:
    python benchmarks/gpu_compile_check.py

runs nbtorch's cuda tests (``tests/cuda``, with the simulator's small launch sizes; with
numba-cuda installed they include ``test_launcher.py``, which checks that nbtorch's own
launcher packs every launch's parameters exactly as numba-cuda would), then
``gpu_check.py``'s correctness checks and a training step with the launch sizes and matmul
tiles of a real GPU. As a pytest plugin:
``PYTHONPATH=benchmarks pytest -p gpu_compile_check tests/cuda``.

This module must be imported before numba: it turns the simulator off for numba (the
compiler needs the real ``numba.cuda``) and, after numba.cuda is loaded, back on for
nbtorch's launch sizes (unless ``NBTORCH_GPU_SIZES=1``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

if __name__ != "__main__":  # imported: set up before anything imports numba
    if "numba" in sys.modules:
        raise ImportError("import gpu_compile_check before numba (and before nbtorch.cuda)")
    os.environ.pop("NUMBA_ENABLE_CUDASIM", None)
    # The simulator's arrays are numpy arrays, which nbtorch's FastLauncher cannot pack for
    # a driver: launches go through numba-cuda's dispatcher, which this module takes over.
    os.environ["NBTORCH_CUDA_FAST_LAUNCH"] = "0"

import numpy as np  # noqa: E402

CC = tuple(int(x) for x in os.environ.get("GPU_COMPILE_CC", "9.0").split("."))
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class KernelCompileError(RuntimeError):
    """A kernel that runs in the simulator but does not compile for a GPU."""


def install() -> dict:
    """Route every kernel launch through "compile for the GPU, then simulate". Returns the
    dict that collects what was compiled: (kernel, argument types) -> PTX size."""
    from numba import cuda, types
    from numba.core.dispatcher import Dispatcher
    from numba.cuda import compiler, dispatcher
    from numba.cuda.simulator.cudadrv import devicearray as sim_arrays
    from numba.cuda.simulator.kernel import FakeCUDAKernel
    from numba.np import numpy_support

    try:
        from numba.cuda.typing.typeof import Purpose, typeof
    except ImportError:  # older numba-cuda
        from numba.core.typing.typeof import Purpose, typeof

    compiled: dict = {}

    def numba_type(value):
        """The type Numba gives ``value`` as a kernel argument on a GPU (a device array's
        layout is 'C', 'F' or 'A', as in numba-cuda's DeviceNDArray._numba_type_)."""
        if isinstance(value, sim_arrays.FakeCUDAArray):
            a = value._ary
            broadcast = 0 in a.strides and a.size != 0
            layout = ("C" if a.flags.c_contiguous and not broadcast else
                      "F" if a.flags.f_contiguous and not broadcast else "A")
            return types.Array(numpy_support.from_dtype(a.dtype), a.ndim, layout)
        if isinstance(value, np.ndarray):
            raise KernelCompileError("a host (numpy) array passed to a kernel: on a GPU Numba "
                                     "would copy it to the device and back at every launch")
        return typeof(value, Purpose.argument)

    def simulated(kernel, device: bool):
        sim = kernel.__dict__.get("_simulated")
        if sim is None:
            sim = kernel.__dict__["_simulated"] = FakeCUDAKernel(kernel.py_func, device=device)
        return sim

    def call(kernel, args, launch_config):
        """CUDADispatcher.call, the launch: compile for the GPU, then simulate."""
        signature = tuple(numba_type(a) for a in args)
        key = (kernel.py_func, signature)
        if key not in compiled:
            options = {k: v for k, v in kernel.targetoptions.items()
                       if k in ("fastmath", "debug", "lineinfo")}
            try:
                ptx, _ = cuda.compile_ptx(kernel.py_func, signature, cc=CC, **options)
            except Exception as exc:
                raise KernelCompileError(
                    f"kernel {kernel.py_func.__qualname__} does not compile for a GPU "
                    f"(compute capability {CC[0]}.{CC[1]}) with argument types {signature}:"
                    f"\n{type(exc).__name__}: {exc}") from exc
            compiled[key] = len(ptx)
        with _plain_python_helpers(kernel.py_func.__globals__, Dispatcher, dispatcher):
            simulated(kernel, False)[launch_config.griddim, launch_config.blockdim, 0,
                                     launch_config.sharedmem](*args)

    def call_device_function(kernel, *args):
        """A device function called by a simulated kernel: run its Python."""
        return simulated(kernel, True)(*args)

    class NoDevice:  # what the compiler asks of "the current device" for device functions
        compute_capability = CC

    dispatcher.get_current_device = compiler.get_current_device = NoDevice
    dispatcher.CUDADispatcher.call = call
    dispatcher.CUDADispatcher.__call__ = call_device_function

    # Memory and devices: the simulator's (arrays backed by numpy), one fake GPU.
    class FakeGpu(contextlib.nullcontext):
        name = f"no GPU: kernels compiled for cc {CC[0]}.{CC[1]}, run by the simulator"
        id = 0

    class FakeContext:
        def get_memory_info(self):
            return (1 << 33, 1 << 34)

    for name in ("device_array", "device_array_like", "to_device", "pinned_array",
                 "mapped_array", "auto_device"):
        setattr(cuda, name, getattr(sim_arrays, name))
    cuda.is_available = lambda: True
    cuda.gpus = [FakeGpu()]
    cuda.select_device = lambda index: cuda.gpus[index]
    cuda.synchronize = lambda: None
    cuda.current_context = FakeContext
    return compiled


@contextlib.contextmanager
def _plain_python_helpers(module_globals, Dispatcher, dispatcher):
    """numba.cuda.random's xoroshiro functions are CPU-jitted functions that the GPU
    compiler inlines; a simulated kernel must call their Python instead."""
    import numba.cuda.random as random_module

    swapped = []
    for namespace in (module_globals, random_module.__dict__):
        for name, value in list(namespace.items()):
            if isinstance(value, Dispatcher) and not isinstance(value,
                                                                dispatcher.CUDADispatcher):
                swapped.append((namespace, name, value))
                namespace[name] = value.py_func
    try:
        yield
    finally:
        for namespace, name, value in swapped:
            namespace[name] = value


if __name__ != "__main__":
    COMPILED = install()
    if os.environ.get("NBTORCH_GPU_SIZES") != "1":
        # nbtorch reads this when its cuda backend is first imported, and then uses the
        # simulator's small launch sizes; numba.cuda itself is already loaded for real.
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"


def pytest_terminal_summary(terminalreporter):
    """After the tests: how many kernels were compiled for the GPU, and which of nbtorch's
    kernels (those made so far: factories make some per dtype on demand) no test launched,
    so that this check could not compile them."""
    import gc

    from numba.cuda.dispatcher import CUDADispatcher

    kernels = {key[0] for key in COMPILED}
    terminalreporter.write_line(
        f"gpu_compile_check: {len(COMPILED)} (kernel, argument types) pairs of "
        f"{len(kernels)} kernels compiled for compute capability {CC[0]}.{CC[1]}")
    # type(), not isinstance(): isinstance on a dead weakref.proxy among the objects raises
    made = {d.py_func for d in gc.get_objects() if issubclass(type(d), CUDADispatcher)
            and d.py_func.__module__.startswith("nbtorch")
            and not d.targetoptions.get("device")}
    never = sorted(f"{f.__module__}.{f.__name__}" for f in made - kernels)
    terminalreporter.write_line(f"gpu_compile_check: {len(never)} of nbtorch's {len(made)} "
                                f"kernels were never launched{': ' if never else ''}"
                                + ", ".join(never))


def _gpu_sizes_part() -> int:
    """gpu_check's correctness checks and a training step, with a GPU's launch sizes."""
    import runpy

    gpu_check = runpy.run_path(os.path.join(HERE, "gpu_check.py"), run_name="gpu_check")
    failed = 0
    for name, status, detail in gpu_check["correctness"](True):
        print(f"{status:5}  {name:28} {detail}", flush=True)
        failed += status != "PASS"
    print("tiny MLP on cuda:", gpu_check["launches_per_step"](gpu_check["_tiny_mlp"], 4),
          flush=True)
    kernels = {key[0] for key in COMPILED}
    print(f"gpu_compile_check: {len(COMPILED)} (kernel, argument types) pairs of "
          f"{len(kernels)} kernels compiled for compute capability {CC[0]}.{CC[1]}; "
          f"{failed} checks failed")
    return 1 if failed else 0


def main() -> int:
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    print("== tests/cuda: every launch compiled for the GPU, then simulated ==", flush=True)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-p", "gpu_compile_check", "-q",
                            "-p", "no:cacheprovider", "tests/cuda"], cwd=ROOT, env=env)
    print("\n== gpu_check.py --small with a GPU's launch sizes and matmul tiles ==",
          flush=True)
    env["NBTORCH_GPU_SIZES"] = "1"
    sizes = subprocess.run([sys.executable, "-c", "import gpu_compile_check as g; "
                            "raise SystemExit(g._gpu_sizes_part())"], cwd=ROOT, env=env)
    return 1 if tests.returncode or sizes.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
