"""What a kernel launch is, and a short path for the launches of a training step (GPU only).

``kernel[blocks, threads](x, n)`` asks the CUDA driver to start ``kernel`` with a list of
*parameters*, C values. Numba first turns the Python arguments into that list: a number
becomes one value (a 64-bit integer for ``n``, a 32-bit float for ``np.float32(alpha)``),
and an array becomes seven or more (Numba's array layout: two unused pointers, the element
count, the item size, the address of the first element, then the shape and the strides in
bytes). A 1-d float32 array of 1000 elements at address 0x7f00 is passed as::

    0, 0, 1000, 4, 0x7f00, 1000, 4        # meminfo, parent, size, itemsize, data, shape, strides

numba-cuda does this in Python at every launch, for every argument, with a general
``isinstance`` ladder (``_Kernel._prepare_args``), wrapping every number in a ctypes object
(``ctypes.c_int64(n)``) that cuda.core's ``launch`` then unwraps into the C value: tens of
microseconds per launch, which is most of a small op's time on a GPU (the kernel itself
runs for a few microseconds).

``FastLauncher`` does the same work in less Python. Numba still chooses (and compiles) the
kernel's version for the argument types, with its own typing. The first time a version
is seen, FastLauncher plans how each of its parameters is packed (from the version's
``argument_types``: arrays by a small function, numbers handed to cuda.core as they are,
which packs a Python int or a numpy scalar faster than a ctypes object), checks that plan
once against numba-cuda's own packing of the same arguments (the C values must be the same),
and makes the launch configuration; at every later launch it only packs and calls the
driver, as numba-cuda does. It also keeps the *loaded* kernel (the compiled code as loaded
into a GPU's context) instead of asking numba-cuda for it at every launch, which checks the
current context in Python first (7 us of a 20 us launch on an H100 machine). Anything it
does not know (record or other argument types, debug kernels, extensions) goes through
numba-cuda's own launch.

``benchmarks/cuda_launch_stub.py --check`` compares, launch by launch, the parameters that
FastLauncher packs with those numba-cuda's ``_prepare_args`` makes (``CHECK = True``); it
needs numba-cuda but no GPU. Set ``NBTORCH_CUDA_FAST_LAUNCH=0`` to launch through numba-cuda
only. Under the simulator kernels run as Python and this module is not used.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
import warnings

import numpy as np

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


def array_params(value) -> tuple:
    """The parameters of a Numba device array argument: Numba's layout (see the module
    docstring). They never change for a given array object: the allocator works them out
    once per pooled buffer and keeps them on it as ``launch_params``."""
    view = value._strided_memory_view_shim  # numba-cuda keeps it on the device array
    shape = view.shape
    itemsize = view.dtype.itemsize
    layout = view._layout
    strides = layout.strides_in_bytes or strides_from_shape(
        shape=shape, itemsize=itemsize, c_contiguous=layout.is_contiguous_c,
        f_contiguous=layout.is_contiguous_f)
    return (0, 0, view.size, itemsize, view.ptr, *shape, *strides)


def _pack_array(value, params: list) -> None:
    """An array argument: its kept ``launch_params``, else worked out now."""
    kept = value.__dict__.get("launch_params")
    params += array_params(value) if kept is None else kept


# How a number is passed. numba-cuda wraps each one in a ctypes object (``c_int64(n)``), which
# cuda.core's launch then unwraps again into a C value: about 0.3 us a number on the dev VM,
# and a training step passes hundreds (a matrix product alone takes 27). cuda.core turns a
# Python int into a 64-bit integer, a Python float into a double and a numpy scalar into its
# own C type directly (0.02 us). Numba's types say which these are: a lazily compiled kernel
# is compiled for the types of the values it gets, so an int64 parameter receives a Python
# int or an np.int64, a float64 one a float or an np.float64, a float32 one an np.float32,
# a boolean one a bool or an np.bool_. Those are passed AS_IS; a tuple of them (shapes,
# strides) item by item (ITEMS). ``_driver_bytes`` says what the driver gets either way.
AS_IS, ITEMS = "as is", "items"


def _passed_as_is(ty) -> bool:
    """True for the Numba types whose values go to cuda.core as they are (see above)."""
    return (isinstance(ty, Boolean) or (isinstance(ty, Float) and ty.bitwidth in (32, 64))
            or (isinstance(ty, Integer) and ty.signed and ty.bitwidth == 64))


def _packer(ty):
    """How one argument of Numba type ``ty`` is packed: ``AS_IS``, ``ITEMS``, or a function
    appending its parameters; None when FastLauncher leaves that type to numba-cuda."""
    if isinstance(ty, Array):
        return _pack_array
    if _passed_as_is(ty):
        return AS_IS
    if isinstance(ty, Integer):  # int32, uint64, ...: the ctypes object, as numba-cuda does
        c_type = getattr(ctypes, f"c_{ty}")  # int32 -> ctypes.c_int32
        return lambda value, params: params.append(c_type(value))
    if isinstance(ty, BaseTuple):
        if all(_passed_as_is(t) for t in ty):
            return ITEMS
        inner = [_packer(t) for t in ty]
        if None in inner:
            return None

        def pack_tuple(value, params):
            params += _pack(inner, value)
        return pack_tuple
    return None


def _pack(packers, args) -> list:
    """The launch parameters for ``args``, packed by ``packers`` (one per argument)."""
    params: list = []
    for pack, value in zip(packers, args):
        if pack is AS_IS:
            params.append(value)
        elif pack is ITEMS:
            params += value
        else:
            pack(value, params)
    return params


def _plan(kernel, launch_config, args):
    """(packers, driver launch configuration, loaded functions) for one compiled kernel,
    or None. The loaded functions start empty (see ``_loaded``).

    The packers are checked once, on ``args`` (the first launch's arguments), against
    numba-cuda's own packing: a numba-cuda version that lays arguments out differently
    makes FastLauncher step aside for that kernel instead of passing wrong parameters."""
    if getattr(kernel, "launch_config_sensitive", False):
        # compiled for this launch configuration (numba-cuda extensions can ask for that):
        # numba-cuda must know, to compile again for other configurations, and launches it
        launch_config.dispatcher._update_launch_config_sensitivity(kernel, launch_config)
        return None
    if (kernel.debug or kernel.extensions
            or getattr(launch_config, "pre_launch_callbacks", None)):
        return None
    packers = [_packer(ty) for ty in kernel.argument_types]
    if None in packers:
        return None
    try:
        params = _pack(packers, args)
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
        params = _pack(packers, args)
        if CHECK:
            difference = _difference_from_numba(kernel, args, params, lc.stream)
            if difference:
                raise AssertionError(difference)
        _nd.launch(lc.stream, config, _loaded(kernel, functions), *params)


def _driver_bytes(p) -> bytes:
    """The C value cuda.core's launch makes of launch parameter ``p``, as bytes (the rules
    of its ``ParamHolder``): a ctypes object's or a numpy scalar's own bytes, a bool as a C
    bool, an int as a 64-bit integer (``intptr_t``), a float as a double."""
    if isinstance(p, ctypes._SimpleCData):
        return bytes(p)
    if isinstance(p, np.generic):
        return p.tobytes()
    if isinstance(p, bool):
        return bytes([p])
    if isinstance(p, int):
        return p.to_bytes(8, sys.byteorder, signed=True)
    if isinstance(p, float):
        return struct.pack("d", p)
    raise TypeError(f"cuda.core cannot pass a {type(p).__name__} to a kernel")


def _difference_from_numba(kernel, args, params, stream) -> str:
    """An empty string when ``params`` give the driver the same C values as the parameters
    numba-cuda's launch makes for ``args``; else a description of both."""
    expected: list = []
    for ty, value in zip(kernel.argument_types, args):
        kernel._prepare_args(ty, value, stream, [], expected)
    try:
        same = [_driver_bytes(p) for p in params] == [_driver_bytes(p) for p in expected]
    except TypeError:  # a parameter type _driver_bytes does not know (a newer numba-cuda?)
        same = False
    if same:
        return ""
    return f"{kernel.py_func.__name__}'s parameters as {params}, numba-cuda as {expected}"
