"""The CPU backend: numpy (whose matmul is BLAS) plus Numba kernels where numpy is slow.

The names below are the backend interface that every op uses; the cuda backend
provides the same names. Kernels written with Numba live in ``cpu_kernels``-style
modules beside this file and are re-exported here.
"""

# ruff: noqa: F401
import numpy as np
from numpy import (
    abs,
    add,
    all,
    any,
    arange,
    arccos,
    arcsin,
    arctan,
    argmax,
    argmin,
    argsort,
    array,
    asarray,
    broadcast_to,
    ceil,
    clip,
    concatenate,
    copysign,
    cos,
    cosh,
    cumprod,
    cumsum,
    divide,
    empty,
    equal,
    exp,
    expm1,
    eye,
    floor,
    floor_divide,
    fmod,
    full,
    greater,
    greater_equal,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    linspace,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    multiply,
    negative,
    not_equal,
    ones,
    power,
    prod,
    remainder,
    round,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    stack,
    std,
    subtract,
    sum,
    take_along_axis,
    tan,
    tanh,
    tril,
    triu,
    trunc,
    var,
    where,
    zeros,
)

ndarray = np.ndarray
device_type = "cpu"


def to_numpy(array):
    """The array as a numpy array (already one on the CPU)."""
    return array


def from_numpy(array, device=None):
    """A numpy array moved to this backend (the CPU: nothing to do)."""
    return array


def ascontiguousarray(array):
    """A C-contiguous version of ``array`` (the same array when it already is)."""
    return np.ascontiguousarray(array)


def index_add_at(out, key, values) -> None:
    """``out[key] += values``, adding repeatedly where an index repeats."""
    np.add.at(out, key, values)
