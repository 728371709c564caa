"""What a kernel launch is, and a short path for the launches of a training step (GPU only).

``kernel[blocks, threads](x, n)`` asks the CUDA driver to start ``kernel`` with a list of
*parameters*. Numba first turns the Python arguments into that list: a number becomes one
C value (``ctypes.c_int64(n)``, ``ctypes.c_float(alpha)``), and an array becomes seven or
more (Numba's array layout: two unused pointers, the element count, the item size, the
address of the first element, then the shape and the strides in bytes). A 1-d float32
array of 1000 elements at address 0x7f00 is passed as::

    0, 0, 1000, 4, 0x7f00, 1000, 4        # meminfo, parent, size, itemsize, data, shape, strides

numba-cuda does this in Python at every launch, for every argument, with a general
``isinstance`` ladder (``_Kernel._prepare_args``): tens of microseconds per launch, which
is most of a small op's time on a GPU (the kernel itself runs for a few microseconds).

``FastLauncher`` does the same work in less Python. Numba still chooses (and compiles) the
kernel's version for the argument types, with its own typing. The first time a version
is seen, FastLauncher plans how each of its parameters is packed (one small function per
argument type, taken from ``argument_types``), checks that plan once against numba-cuda's
own packing of the same arguments, and makes the launch configuration; at every later
launch it only runs those functions and calls the driver, as numba-cuda does. It also
keeps the *loaded* kernel (the compiled code as loaded into a GPU's context) instead of
asking numba-cuda for it at every launch, which checks the current context in Python first
(7 us of a 20 us launch on an H100 machine).
Anything it does not know (record or other argument types, debug kernels, extensions) goes
through numba-cuda's own launch.

``benchmarks/cuda_launch_stub.py --check`` compares, launch by launch, the parameters that
FastLauncher packs with those numba-cuda's ``_prepare_args`` makes (``CHECK = True``); it
needs numba-cuda but no GPU. Set ``NBTORCH_CUDA_FAST_LAUNCH=0`` to launch through numba-cuda
only. Under the simulator kernels run as Python and this module is not used.
"""

from __future__ import annotations

import ctypes
import os
import warnings

try:  # numba-cuda's launch internals (numba-cuda 0.30); older numba.cuda lacks them
    from cuda.bindings.driver import cuCtxGetCurrent
    from numba.cuda import dispatcher as _nd
    from numba.cuda._compat import CUDA_CORE_GE_1_0
    from numba.cuda.cext import _dispatcher
    from numba.cuda.np.numpy_support import strides_from_shape
    from numba.cuda.types import Array, BaseTuple, Boolean, Float, Integer

    AVAILABLE = (all(hasattr(_nd, name) for name in ("launch", "LaunchConfig",
                                                     "_LAUNCH_CONFIG_KW", "_Kernel"))
                 and hasattr(_nd._LaunchConfiguration, "_push_args"))
except ImportError:
    AVAILABLE = False

ENABLED = AVAILABLE and os.environ.get("NBTORCH_CUDA_FAST_LAUNCH", "1") != "0"
CHECK = False  # True: compare every packed launch with numba-cuda's own (slow; for tests)


def _pack_array(value, params: list) -> None:
    """An array argument: Numba's layout (see the module docstring)."""
    view = value._strided_memory_view_shim  # numba-cuda keeps it on the device array
    shape = view.shape
    itemsize = view.dtype.itemsize
    layout = view._layout
    params += (0, 0, view.size, itemsize, view.ptr, *shape)
    params += layout.strides_in_bytes or strides_from_shape(
        shape=shape, itemsize=itemsize, c_contiguous=layout.is_contiguous_c,
        f_contiguous=layout.is_contiguous_f)


def _packer(ty):
    """The function packing one argument of Numba type ``ty``, or None when FastLauncher
    leaves that type to numba-cuda."""
    if isinstance(ty, Array):
        return _pack_array
    if isinstance(ty, Boolean):
        return lambda value, params: params.append(value)  # as numba-cuda does
    if isinstance(ty, Integer):
        c_type = getattr(ctypes, f"c_{ty}")  # int64 -> ctypes.c_int64
        return lambda value, params: params.append(c_type(value))
    if isinstance(ty, Float) and ty.bitwidth in (32, 64):
        c_type = ctypes.c_float if ty.bitwidth == 32 else ctypes.c_double
        return lambda value, params: params.append(c_type(value))
    if isinstance(ty, BaseTuple):
        inner = [_packer(t) for t in ty]
        if None in inner:
            return None

        def pack_tuple(value, params):
            for pack, item in zip(inner, value):
                pack(item, params)
        return pack_tuple
    return None


def _plan(kernel, launch_config, args):
    """(packers, driver launch configuration, loaded functions) for one compiled kernel,
    or None. The loaded functions start empty (see ``_loaded``).

    The packers are checked once, on ``args`` (the first launch's arguments), against
    numba-cuda's own packing: a numba-cuda version that lays arguments out differently
    makes FastLauncher step aside for that kernel instead of passing wrong parameters."""
    if (kernel.debug or kernel.extensions
            or getattr(launch_config, "pre_launch_callbacks", None)):
        return None
    packers = [_packer(ty) for ty in kernel.argument_types]
    if None in packers:
        return None
    params: list = []
    try:
        for pack, value in zip(packers, args):
            pack(value, params)
    except (AttributeError, TypeError):  # not a device array (numba-cuda copies host ones)
        return None
    difference = _difference_from_numba(kernel, args, params, launch_config.stream)
    if difference:
        warnings.warn(f"nbtorch's FastLauncher packs {difference}; this kernel is launched "
                      "through numba-cuda instead", RuntimeWarning, stacklevel=3)
        return None
    cooperative = {"is_cooperative" if CUDA_CORE_GE_1_0 else "cooperative_launch":
                   kernel.cooperative}
    config = _nd.LaunchConfig(grid=launch_config.griddim, block=launch_config.blockdim,
                              shmem_size=launch_config.sharedmem, **cooperative)
    return packers, config, {}


def _context() -> int:
    """The CUDA context current in this thread (0 for none), as a number: one driver
    query, 0.5 us on an H100 machine (numba-cuda's ``get_context()`` asks the driver and
    checks the answer in Python: 7 us)."""
    return int(cuCtxGetCurrent()[1])


def _loaded(kernel, functions: dict):
    """``kernel`` loaded into the current CUDA context, the function the driver starts.

    A compiled kernel is loaded once into each context (one per GPU, made current by
    ``set_device``); ``functions`` keeps what numba-cuda loaded, by context."""
    function = functions.get(_context())
    if function is None:  # numba-cuda loads it (and makes a context current if none is)
        function = kernel._codelibrary.get_cufunc().kernel
        functions[_context()] = function
    return function


class FastLauncher:
    """``kernel[blocks, threads]`` for numba-cuda, launching with less Python (see above)."""

    __slots__ = ("launch_config", "plans")

    def __init__(self, kernel, blocks, threads):
        self.launch_config = kernel[blocks, threads]  # numba-cuda's, kept for its fields
        self.plans: dict = {}  # compiled kernel -> its plan (None: numba-cuda launches it)

    def __call__(self, *args):
        lc = self.launch_config
        dispatcher = lc.dispatcher
        if getattr(dispatcher, "_launch_config_sensitive", False) or dispatcher.specialized:
            return dispatcher.call(args, lc)
        previous = lc._push_args(args)
        try:  # numba-cuda's typing picks (and compiles once) the kernel for these types
            kernel = _dispatcher.Dispatcher._cuda_call(
                dispatcher, *args, **{_nd._LAUNCH_CONFIG_KW: lc})
        finally:
            lc._pop_args(previous)
        try:
            plan = self.plans[kernel]
        except KeyError:
            plan = self.plans[kernel] = _plan(kernel, lc, args)
        if plan is None:
            return kernel.launch(args, lc.griddim, lc.blockdim, lc.stream, lc.sharedmem)
        packers, config, functions = plan
        params: list = []
        for pack, value in zip(packers, args):
            pack(value, params)
        if CHECK:
            difference = _difference_from_numba(kernel, args, params, lc.stream)
            if difference:
                raise AssertionError(difference)
        _nd.launch(lc.stream, config, _loaded(kernel, functions), *params)


def _difference_from_numba(kernel, args, params, stream) -> str:
    """An empty string when ``params`` are what numba-cuda's launch passes for ``args``
    (same values, same C types); else a description of both."""
    expected: list = []
    for ty, value in zip(kernel.argument_types, args):
        kernel._prepare_args(ty, value, stream, [], expected)

    def as_pair(p):
        return (type(p).__name__, p.value if isinstance(p, ctypes._SimpleCData) else p)

    mine, theirs = [as_pair(p) for p in params], [as_pair(p) for p in expected]
    if mine == theirs:
        return ""
    return f"{kernel.py_func.__name__}'s parameters as {mine}, numba-cuda as {theirs}"
