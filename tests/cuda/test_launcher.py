"""FastLauncher (nbtorch/_backend/cuda/launcher.py) packs kernel parameters that give the
driver the same C values as numba-cuda's. It is used on a GPU only, so these tests run
numba-cuda for real in a subprocess with the driver stubbed out
(benchmarks/cuda_launch_stub.py); they need numba-cuda and its compiler (``pip install -e
'.[cuda]'``, as ``make gpu-compile-check`` does) and are skipped without them."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUB = os.path.join(ROOT, "benchmarks", "cuda_launch_stub.py")

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba_cuda") is None,
                                reason="numba-cuda is not installed (pip install -e '.[cuda]')")


def run_without_simulator(args, timeout=600):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_ENABLE_CUDASIM", "NBTORCH_CUDA_FAST_LAUNCH", "PYTHONPATH")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def run_with_stubbed_driver(body: str) -> str:
    """Run the Python ``body`` in a subprocess with numba-cuda's driver stubbed out (as
    cuda_launch_stub.py does); it must succeed, also in ``__del__`` methods. Returns what it
    printed."""
    preamble = f"import runpy\nrunpy.run_path({STUB!r}, run_name='stub')['stub_the_driver']()\n"
    result = run_without_simulator(["-c", preamble + textwrap.dedent(body)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Exception ignored" not in result.stderr, result.stderr  # e.g. in a __del__
    return result.stdout


def test_every_launch_of_a_training_step_is_packed_as_numba_cuda_packs_it():
    result = run_without_simulator([STUB, "--check"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the same C values as numba-cuda" in result.stdout


def test_the_c_values_checked_are_those_cuda_core_passes_to_the_driver():
    # The check above compares parameters as C values, by launcher._driver_bytes's reading
    # of cuda.core's rules; here cuda.core itself packs each kind of value (its ParamHolder
    # keeps one C value per parameter and an array of their addresses).
    printed = run_with_stubbed_driver("""
        import ctypes
        import numpy as np
        from cuda.core._kernel_arg_handler import ParamHolder
        from nbtorch._backend.cuda.launcher import _driver_bytes

        values = [7, -3, 2**40 + 5, 2.5, -0.1, True, False, np.int64(-9), np.float32(1.25),
                  np.float64(-2.75), np.int32(-4), np.bool_(True), ctypes.c_int64(-11),
                  ctypes.c_int32(6), ctypes.c_uint64(2**63 + 1), ctypes.c_float(0.3),
                  ctypes.c_double(1e-300)]
        expected = [_driver_bytes(v) for v in values]
        holder = ParamHolder(values)
        addresses = (ctypes.c_void_p * len(values)).from_address(holder.ptr)
        packed = [ctypes.string_at(a, len(e)) for a, e in zip(addresses, expected)]
        assert packed == expected, list(zip(values, packed, expected))
        print(len(values), "values")
    """)
    assert printed.strip() == "17 values"


def test_a_packing_that_differs_from_numba_cudas_is_not_used():
    # A deliberately wrong packer (one stride off by one): the first launch's check finds
    # the difference, warns, and the kernel goes through numba-cuda from then on.
    printed = run_with_stubbed_driver("""
        import warnings
        import nbtorch
        from nbtorch._backend.cuda import launcher, runtime

        right = launcher._pack_array
        def wrong(value, params):
            right(value, params)
            params[-1] += 1
        launcher._pack_array = wrong
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = nbtorch.ones(5, device="cuda")
            x + 1.0
        plans = [p for c in runtime._configured.values() for p in c.plans.values()]
        assert plans and all(p is None for p in plans), plans
        assert any("FastLauncher packs" in str(w.message) for w in caught), caught
        print("stepped aside for", len(plans), "kernels")
    """)
    assert "stepped aside for 2 kernels" in printed


def test_a_kernel_is_loaded_once_per_cuda_context():
    # FastLauncher keeps numba-cuda's loaded kernel per CUDA context (one per GPU): a
    # launch in another context (after set_device) loads it there, as numba-cuda would.
    printed = run_with_stubbed_driver("""
        from nbtorch._backend.cuda import launcher

        current = [7]
        launcher.cuCtxGetCurrent = lambda: (0, current[0])
        loads = []
        class Library:
            def get_cufunc(self):
                loads.append(current[0])
                return type("Function", (), {"kernel": f"loaded in {current[0]}"})
        kernel = type("Kernel", (), {"_codelibrary": Library()})
        functions = {}
        got = [launcher._loaded(kernel, functions) for current[0] in (7, 7, 9, 7, 9)]
        assert got == ["loaded in 7"] * 2 + ["loaded in 9", "loaded in 7", "loaded in 9"], got
        assert loads == [7, 9], loads
        print("ok")
    """)
    assert printed.strip() == "ok"


def test_pooled_buffers_of_numba_cuda_arrays_return_once_and_views_return_nothing():
    # The allocator's handles are numba-cuda device arrays of a subclass whose __del__ puts
    # the buffer back on its free list. numba-cuda makes views and slices of an array with
    # the array's own class: those must not put anything back (the simulator's arrays,
    # which the other cuda tests use, make them differently).
    printed = run_with_stubbed_driver("""
        import gc
        import importlib
        import numpy as np

        array = importlib.import_module("nbtorch._backend.cuda.array")  # not the function

        key = (0, np.dtype(np.float32), 12)
        a = array.empty((3, 4), np.float32, 0)
        raw = a.buf._return_to[1]
        views = [a.buf.view(np.int32), a.buf[2:5], a.buf.reshape(3, 4)]
        assert type(views[1]) is type(a.buf), type(views[1])  # a slice: the handle's class
        del views
        gc.collect()
        assert array._free[key] == [], "a view returned the buffer"
        del a
        gc.collect()
        assert len(array._free[key]) == 1 and array._free[key][0] is raw
        b = array.empty((12,), np.float32, 0)  # the same length: the same device memory
        assert b.buf.device_ctypes_pointer.value == raw.device_ctypes_pointer.value
        assert array._free[key] == []
        print("ok")
    """)
    assert printed.strip() == "ok"


def test_a_kernel_compiled_for_one_launch_configuration_is_left_to_numba_cuda():
    # numba-cuda marks such a kernel's dispatcher at its first launch, so that other
    # configurations compile their own version; FastLauncher lets numba-cuda do that and
    # launch it, then and afterwards (the marked dispatcher goes through numba-cuda's call).
    printed = run_with_stubbed_driver("""
        from nbtorch._backend.cuda import launcher

        marked = []
        class Dispatcher:
            def _update_launch_config_sensitivity(self, kernel, config):
                marked.append((kernel, config))
        config = type("LaunchConfig", (), {"dispatcher": Dispatcher()})()
        kernel = type("Kernel", (), {"launch_config_sensitive": True, "debug": False,
                                     "extensions": [], "argument_types": ()})()
        assert launcher._plan(kernel, config, ()) is None
        assert marked == [(kernel, config)], marked
        print("ok")
    """)
    assert printed.strip() == "ok"
