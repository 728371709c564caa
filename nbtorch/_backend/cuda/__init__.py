"""The cuda backend: the CPU backend's interface (numpy's names) on GPU arrays.

Arrays are ``DeviceArray``s (``array.py``); the work is done by Numba CUDA kernels, one
module per kind of kernel:

==================  ===========================================================
``layout.py``       where element i of a strided view lives; copies, fills
``elementwise.py``  unary and binary ops with broadcasting, ``where``
``special.py``      lgamma, digamma, Hurwitz's zeta, Bessel I0 and I1 (elementwise)
``reduce.py``       sum/max/argmax/... along any dims (shared-memory tree), scans
``matmul.py``       tiled shared-memory matrix product (batched), and ``linear``'s fused
                    forms (bias added as results are written, bias gradient as row sums)
``index.py``        gather/scatter for advanced indexing, ``add.at``
``conv.py``         im2col / col2im (convolution as a matrix product)
``pool.py``         max pooling with argmax, and its backward
``softmax.py``      fused softmax, log-softmax, cross-entropy (one block per row)
``creation.py``     host <-> device copies, filled arrays, ranges, views, joins
``random.py``       xoroshiro128+ random numbers generated on the GPU
``optim.py``        fused optimizer updates (SGD with momentum: one launch)
``runtime.py``      the simulator or a GPU, devices, launch sizes, launch counting
``launcher.py``     what a launch passes to the driver, packed with less Python
==================  ===========================================================

A small model's training step on a GPU is bound by the Python cost of each kernel launch,
not by arithmetic, so the ops of a training step have fused forms here (``linear``,
``matmul_and_row_sums``, ``relu_backward``, ``cross_entropy_rows``, ``cross_entropy_sum``,
``sgd_momentum_``):
``nbtorch.cuda.count_launches()`` shows what a piece of code launches, and on a GPU the
launches go through ``launcher.FastLauncher``, which packs their arguments for the driver
with less Python than numba-cuda's general path.

A few rarely used functions (sorting, small linear algebra) copy to the host, call numpy
and copy back; they are marked "(via the host)".
"""

# ruff: noqa: F401
from __future__ import annotations

import builtins
import functools

import numpy as np

from ...autograd import function
from .array import DeviceArray, empty
from .conv import batched_col2im, batched_im2col, col2im, im2col
from .creation import (
    arange,
    array,
    asarray,
    ascontiguousarray,
    broadcast_to,
    concatenate,
    diag,
    diagonal,
    empty_like,
    expand_dims,
    eye,
    flip,
    from_numpy,
    full,
    full_like,
    linspace,
    moveaxis,
    ones,
    ones_like,
    outer,
    pad,
    stack,
    swapaxes,
    to_numpy,
    tril,
    triu,
    zeros,
    zeros_like,
)
from .elementwise import (
    abs,
    add,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    ceil,
    clip,
    copysign,
    cos,
    cosh,
    divide,
    equal,
    erf,
    erfc,
    exp,
    expm1,
    floor,
    floor_divide,
    fmod,
    greater,
    greater_equal,
    invert,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    relu_backward,
    remainder,
    rint,
    round,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
    where,
)
from .index import index_add_at, nonzero, put_along_axis, take, take_along_axis
from .matmul import linear, matmul, matmul_and_row_sums
from .optim import sgd_momentum_
from .pool import max_pool2d, max_pool2d_backward
from .reduce import (
    all,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    trace,
    var,
)
from .runtime import SIMULATOR
from .softmax import (
    cross_entropy_rows,
    cross_entropy_rows_backward,
    cross_entropy_sum,
    log_softmax,
    softmax,
)
from .special import digamma, i0, i0e, i1, i1e, lgamma, zeta

ndarray = DeviceArray
device_type = "cuda"
function.ARRAY_TYPES.add(DeviceArray)  # autograd wraps our arrays as it wraps numpy's
inf = np.inf
LinAlgError = np.linalg.LinAlgError
diagonal_view = diagonal  # our diagonal is a writable view already


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` elementwise (numpy's rule)."""
    close = less_equal(abs(subtract(a, b)), add(multiply(abs(b), rtol), atol))
    close = logical_or(close, equal(a, b))  # equal infinities
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    return close


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +inf -> ``posinf`` (default: the largest float), -inf -> ``neginf``."""
    info = np.finfo(x.dtype)
    x = where(isnan(x), nan, x)
    x = where(logical_and(isinf(x), greater(x, 0)), info.max if posinf is None else posinf, x)
    return where(logical_and(isinf(x), less(x, 0)), info.min if neginf is None else neginf, x)


def roll(a, shift, axis=None):
    """Shift elements along ``axis`` cyclically (two slices joined)."""
    if axis is None:
        return roll(a.reshape(-1), shift, 0).reshape(a.shape)
    if isinstance(axis, (tuple, list)):
        for s, ax in zip(shift, axis):
            a = roll(a, s, ax)
        return a
    n = a.shape[axis]
    if n == 0:
        return a.copy()
    s = shift % n
    index = [slice(None)] * a.ndim
    index[axis] = slice(n - s, None)
    tail = a[tuple(index)]
    index[axis] = slice(0, n - s)
    return concatenate([tail, a[tuple(index)]], axis)


def tile(a, reps):
    """``a`` repeated ``reps`` times along each dim (a broadcast, then one copy)."""
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    nd = builtins.max(len(reps), a.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    a = a.reshape((1,) * (nd - a.ndim) + a.shape)
    spread = a.reshape([x for s in a.shape for x in (1, s)])
    big = broadcast_to(spread, [x for r, s in zip(reps, a.shape) for x in (r, s)])
    return big.copy().reshape([r * s for r, s in zip(reps, a.shape)])


def _via_host(fn):
    """Run numpy's ``fn`` on host copies of the arrays and bring the results back."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        device = next(a.device_index for a in args if isinstance(a, DeviceArray))
        host = [a.get() if isinstance(a, DeviceArray) else a for a in args]
        result = fn(*host, **kwargs)
        if isinstance(result, tuple):
            return tuple(from_numpy(np.asarray(r), device) for r in result)
        return from_numpy(np.asarray(result), device)

    run.__doc__ = f"numpy's ``{fn.__name__}`` (via the host)."
    return run


sort = _via_host(np.sort)
argsort = _via_host(np.argsort)
det = _via_host(np.linalg.det)
inv = _via_host(np.linalg.inv)
slogdet = _via_host(np.linalg.slogdet)
solve = _via_host(np.linalg.solve)
cholesky = _via_host(np.linalg.cholesky)
eigh = _via_host(np.linalg.eigh)
qr = _via_host(np.linalg.qr)
svd = _via_host(np.linalg.svd)
frexp = _via_host(np.frexp)
nextafter = _via_host(np.nextafter)


def _on_device(x) -> bool:
    if isinstance(x, DeviceArray):
        return True
    return isinstance(x, (list, tuple)) and builtins.any(isinstance(a, DeviceArray) for a in x)


def _numpy_when_on_host(name: str, fn):
    """``fn``, but numpy's function of the same name when no argument is a cuda array
    (ops sometimes compute small helper arrays, e.g. class indices, with numpy)."""
    host_fn = getattr(np, name, None) or getattr(np.linalg, name)

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if (args and type(args[0]) is DeviceArray) or builtins.any(_on_device(a) for a in args):
            return fn(*args, **kwargs)
        return host_fn(*args, **kwargs)

    return run


for _name, _fn in list(globals().items()):
    if (callable(_fn) and not _name.startswith("_") and _fn.__module__.startswith(__name__)
            and _name not in ("empty", "from_numpy", "to_numpy", "full", "zeros", "ones",
                              "arange", "eye", "linspace", "index_add_at", "DeviceArray",
                              "ndarray")
            and (hasattr(np, _name) or hasattr(np.linalg, _name))):
        globals()[_name] = _numpy_when_on_host(_name, _fn)
