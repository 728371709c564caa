"""Elementwise kernels: one thread per output element, broadcasting through strides.

Every unary op is ``out[i] = f(x[i])`` and every binary op ``out[i] = f(x[i], y[i])``, where
"``x[i]``" means: the element of ``x`` that output element i reads, found through ``x``'s
(broadcast) strides by ``layout.element_offset``. So one kernel *template* serves all ops:
``unary_kernel(f)`` and ``binary_kernel(f)`` build a kernel around a small device function
``f`` (``math.exp``, ``a + b``, ...). A Python number operand is passed to the kernel as a
value (no array at all), converted to the computation's dtype first, so a float32 tensor
times 0.5 stays float32 arithmetic on the GPU.

The result dtype is numpy's: we ask numpy what its ufunc would return for empty arrays of
the same dtypes (``_result_dtype``), so type promotion needs no table of our own.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import layout, runtime
from .array import DeviceArray, empty, is_flat
from .layout import broadcast_shape, broadcast_strides, cycle_length, element_offset, plan
from .runtime import cuda

_abs = abs  # the builtin, before this module defines its own `abs`


def _as_operand(x):
    """A DeviceArray, or a Python number (0-d host arrays and numpy scalars become numbers)."""
    if type(x) is DeviceArray:  # the usual case, checked first: this runs in every op
        return x
    if isinstance(x, (DeviceArray, np.ndarray)):
        return x.item() if isinstance(x, np.ndarray) and x.ndim == 0 else x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    raise TypeError(f"unsupported operand type for a cuda array: {type(x).__name__}")


def _operands(*xs):
    """The operands as DeviceArrays or numbers. A host (numpy) array meeting a cuda array is
    copied to its device: tensors never get here mixed (the ops check devices first), but
    kernels' helper arrays (indices, masks) may be made with numpy."""
    xs = [_as_operand(x) for x in xs]
    if not any(type(x) is np.ndarray for x in xs):
        return xs
    device = next((x.device_index for x in xs if isinstance(x, DeviceArray)), None)
    if device is None:
        return xs
    from .creation import from_numpy

    return [from_numpy(x, device) if isinstance(x, np.ndarray) else x for x in xs]


def _dtype_key(x):
    return x.dtype if isinstance(x, DeviceArray) else type(x)


@functools.lru_cache(maxsize=None)
def _result_dtype(ufunc_name: str, *keys) -> np.dtype:
    """numpy's result dtype for ``ufunc`` on operands of these dtypes (or Python types)."""
    examples = [np.empty(0, k) if isinstance(k, np.dtype) else k(1) for k in keys]
    return getattr(np, ufunc_name)(*examples).dtype


# -- kernel templates ---------------------------------------------------------------------


# Each op has two kinds of kernel. The *strided* ones find every operand element through its
# strides (any view, any broadcast). The *flat* ones serve the common case of operands laid
# out in row-major order (``array.is_flat``): element i is just ``x[x_off + i]``, or
# ``x[x_off + i % x_len]`` for an operand broadcast along leading dims (a bias row added to
# every row of a batch). They take a few numbers instead of shape and stride tuples: a
# launch costs Python time per argument, and for small arrays that time is most of the op.


def _named_kernel(op: str):
    """``cuda.jit``, after naming the kernel ``<op>_<template>`` (``add_flat_array_array``):
    the name that launch counts (``torch.cuda.count_launches``) and profilers show."""

    def jit(fn):
        fn.__name__ = fn.__qualname__ = f"{op}_{fn.__name__}"
        return cuda.jit(fn)

    return jit


def unary_kernels(f, op: str):
    """Kernels for ``out[i] = f(x[i])`` (``out`` contiguous): strided ``x``, flat ``x``."""
    jit = _named_kernel(op)

    @jit
    def strided(x, x_off, x_st, out, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + element_offset(i, shape, x_st)])

    @jit
    def flat(x, x_off, out, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + i])

    return strided, flat


def binary_kernels(f, op: str):
    """Kernels for ``out[i] = f(x[i], y[i])``: array-array, array-number and number-array,
    each strided and flat."""
    jit = _named_kernel(op)

    @jit
    def array_array(x, x_off, x_st, y, y_off, y_st, out, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + element_offset(i, shape, x_st)],
                       y[y_off + element_offset(i, shape, y_st)])

    @jit
    def array_number(x, x_off, x_st, y, out, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + element_offset(i, shape, x_st)], y)

    @jit
    def number_array(x, y, y_off, y_st, out, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x, y[y_off + element_offset(i, shape, y_st)])

    @jit
    def flat_array_array(x, x_off, x_len, y, y_off, y_len, out, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + i % x_len], y[y_off + i % y_len])

    @jit
    def flat_array_number(x, x_off, y, out, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x[x_off + i], y)

    @jit
    def flat_number_array(x, y, y_off, out, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            out[i] = f(x, y[y_off + i])

    return (array_array, array_number, number_array, flat_array_array, flat_array_number,
            flat_number_array)


def _device(f):
    return cuda.jit(device=True)(f)


def make_unary(name: str, f, dtype_like: str | None = None):
    """The backend function ``name(x)`` running ``f`` on every element (its result dtype
    is that of numpy's ``name``, or of ``dtype_like`` for functions numpy lacks)."""
    strided, flat = unary_kernels(_device(f), name)

    def op(x, out=None):
        (x,) = _operands(x)
        if not isinstance(x, DeviceArray):
            return getattr(np, name)(x)
        dtype = _result_dtype(dtype_like or name, x.dtype)
        result = _output(out, x.shape, dtype, x.device_index)
        n = x.size
        if n:
            with runtime.using(x.device_index):
                if is_flat(x):
                    runtime.launch(flat, n)(x.buf, x.offset, result.buf, n)
                else:
                    shape, (st,) = plan(x.shape, x.estrides)
                    runtime.launch(strided, n)(x.buf, x.offset, st, result.buf, shape, n)
        return _deliver(result, out)

    op.__name__ = name
    op.__doc__ = f"numpy's ``{name}`` on a cuda array, one thread per element."
    return op


def make_binary(name: str, f, compare: bool = False, dtype_like: str | None = None):
    """The backend function ``name(x, y)`` with broadcasting and numpy's dtype rules (those
    of numpy's ``name``, or of ``dtype_like`` for functions numpy lacks)."""
    (array_array, array_number, number_array, flat_array_array, flat_array_number,
     flat_number_array) = binary_kernels(_device(f), name)

    def op(x, y, out=None):
        x, y = _operands(x, y)
        x_is_array, y_is_array = isinstance(x, DeviceArray), isinstance(y, DeviceArray)
        if not x_is_array and not y_is_array:
            return getattr(np, name)(x, y)
        dtype = _result_dtype(dtype_like or name, _dtype_key(x), _dtype_key(y))
        # a number is converted to the dtype the arithmetic happens in
        work = _result_dtype("add", _dtype_key(x), _dtype_key(y)) if compare else dtype
        if x_is_array and y_is_array:
            _same_device(x, y)
            shape = broadcast_shape(x.shape, y.shape)
        else:
            shape = (x if x_is_array else y).shape
        dev = (x if x_is_array else y).device_index
        result = _output(out, shape, dtype, dev)
        n = result.size
        if n == 0:
            return _deliver(result, out)
        with runtime.using(dev):
            if x_is_array and y_is_array:
                x_len, y_len = cycle_length(x, shape), cycle_length(y, shape)
                if x_len and y_len:
                    runtime.launch(flat_array_array, n)(x.buf, x.offset, x_len, y.buf, y.offset,
                                                        y_len, result.buf, n)
                else:
                    s, (xs, ys) = plan(shape, broadcast_strides(x, shape),
                                       broadcast_strides(y, shape))
                    runtime.launch(array_array, n)(x.buf, x.offset, xs, y.buf, y.offset, ys,
                                                   result.buf, s, n)
            elif x_is_array:
                if is_flat(x):
                    runtime.launch(flat_array_number, n)(x.buf, x.offset, work.type(y),
                                                         result.buf, n)
                else:
                    s, (xs,) = plan(shape, x.estrides)
                    runtime.launch(array_number, n)(x.buf, x.offset, xs, work.type(y),
                                                    result.buf, s, n)
            elif is_flat(y):
                runtime.launch(flat_number_array, n)(work.type(x), y.buf, y.offset, result.buf,
                                                     n)
            else:
                s, (ys,) = plan(shape, y.estrides)
                runtime.launch(number_array, n)(work.type(x), y.buf, y.offset, ys, result.buf,
                                                s, n)
        return _deliver(result, out)

    op.__name__ = name
    op.__doc__ = f"numpy's ``{name}`` on cuda arrays (broadcasting), one thread per element."
    return op


def _output(out, shape, dtype, device_index):
    """Where a kernel writes: ``out`` itself when it is a fresh-looking C-contiguous array of
    the right shape and dtype (numpy's ``out=``), else a new array."""
    if (out is not None and out.offset == 0 and out.shape == tuple(shape)
            and out.dtype == dtype and out.flags.c_contiguous):
        return out
    return empty(shape, dtype, device_index)


def _deliver(result, out):
    """Honour ``out=``: copy into it when the kernel could not write there directly."""
    if out is None or result is out:
        return result
    layout.copy_into(out, result)
    return out


def _same_device(x, y) -> None:
    if x.device_index != y.device_index:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, cuda:{x.device_index} and cuda:{y.device_index}!")


# -- the device functions: what one thread computes for one element ------------------------


_EXACT = 4503599627370496.0  # 2**52: larger floats (and inf, NaN) are already whole


# A device function: rint's lambda calls it, and a kernel on a GPU can call only functions
# compiled for the GPU (the simulator, running Python, would call a plain one too).
@cuda.jit(device=True)
def _round_half_even(x):
    r = math.floor(x + 0.5)
    if r - x == 0.5 and r % 2 != 0:
        r -= 1
    return r


def _sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return x * 0  # 0 stays 0, NaN stays NaN


def _maximum(a, b):
    return a if a != a or a > b else b  # a NaN wins, as in numpy


def _minimum(a, b):
    return a if a != a or a < b else b


def _logaddexp(a, b):
    m = a if a > b else b
    if m == -math.inf:
        return m
    return m + math.log1p(math.exp(-_abs(a - b)))


def _isinf(x):
    return math.isinf(x)


def _isnan(x):
    return math.isnan(x)


def _isfinite(x):
    return not (math.isinf(x) or math.isnan(x))


abs = make_unary("abs", lambda x: _abs(x))  # noqa: A001
negative = make_unary("negative", lambda x: -x)
square = make_unary("square", lambda x: x * x)
sign = make_unary("sign", _sign)
exp = make_unary("exp", lambda x: math.exp(x))
expm1 = make_unary("expm1", lambda x: math.expm1(x))
log = make_unary("log", lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan))
log1p = make_unary("log1p", lambda x: math.log1p(x) if x > -1 else
                   (-math.inf if x == -1 else math.nan))
log2 = make_unary("log2", lambda x: math.log2(x) if x > 0 else
                  (-math.inf if x == 0 else math.nan))
log10 = make_unary("log10", lambda x: math.log10(x) if x > 0 else
                   (-math.inf if x == 0 else math.nan))
sqrt = make_unary("sqrt", lambda x: math.sqrt(x) if x >= 0 else math.nan)
sin = make_unary("sin", lambda x: math.sin(x) if not math.isinf(x) else math.nan)
cos = make_unary("cos", lambda x: math.cos(x) if not math.isinf(x) else math.nan)
tan = make_unary("tan", lambda x: math.tan(x) if not math.isinf(x) else math.nan)
sinh = make_unary("sinh", lambda x: math.sinh(x))
cosh = make_unary("cosh", lambda x: math.cosh(x))
tanh = make_unary("tanh", lambda x: math.tanh(x))
arcsin = make_unary("arcsin", lambda x: math.asin(x) if -1 <= x <= 1 else math.nan)
arccos = make_unary("arccos", lambda x: math.acos(x) if -1 <= x <= 1 else math.nan)
arctan = make_unary("arctan", lambda x: math.atan(x))
arcsinh = make_unary("arcsinh", lambda x: math.asinh(x))
arccosh = make_unary("arccosh", lambda x: math.acosh(x) if x >= 1 else math.nan)
arctanh = make_unary("arctanh", lambda x: math.atanh(x) if -1 < x < 1 else
                     (math.copysign(math.inf, x) if x == 1 or x == -1 else math.nan))
erf = make_unary("erf", lambda x: math.erf(x), dtype_like="exp")
erfc = make_unary("erfc", lambda x: math.erfc(x), dtype_like="exp")
floor = make_unary("floor", lambda x: math.floor(x) if _abs(x) < _EXACT else x)
ceil = make_unary("ceil", lambda x: math.ceil(x) if _abs(x) < _EXACT else x)
trunc = make_unary("trunc", lambda x: (math.floor(x) if x >= 0 else math.ceil(x))
                   if _abs(x) < _EXACT else x)
rint = make_unary("rint", lambda x: _round_half_even(x) if _abs(x) < _EXACT else x)
isnan = make_unary("isnan", _isnan)
isinf = make_unary("isinf", _isinf)
isfinite = make_unary("isfinite", _isfinite)
logical_not = make_unary("logical_not", lambda x: not x)
_invert = make_unary("invert", lambda x: ~x)

add = make_binary("add", lambda a, b: a + b)
subtract = make_binary("subtract", lambda a, b: a - b)
multiply = make_binary("multiply", lambda a, b: a * b)
divide = make_binary("divide", lambda a, b: a / b if b != 0 else
                     (math.nan if a == 0 or a != a else math.copysign(math.inf, a) *
                      math.copysign(1, b)))
true_divide = divide
floor_divide = make_binary("floor_divide", lambda a, b: a // b)
remainder = make_binary("remainder", lambda a, b: a % b)
fmod = make_binary("fmod", lambda a, b: math.fmod(a, b))
power = make_binary("power", lambda a, b: a ** b)
maximum = make_binary("maximum", _maximum)
minimum = make_binary("minimum", _minimum)
arctan2 = make_binary("arctan2", lambda a, b: math.atan2(a, b))
copysign = make_binary("copysign", lambda a, b: math.copysign(a, b))
logaddexp = make_binary("logaddexp", _logaddexp)
bitwise_and = make_binary("bitwise_and", lambda a, b: a & b)
bitwise_or = make_binary("bitwise_or", lambda a, b: a | b)
bitwise_xor = make_binary("bitwise_xor", lambda a, b: a ^ b)
equal = make_binary("equal", lambda a, b: a == b, compare=True)
not_equal = make_binary("not_equal", lambda a, b: a != b, compare=True)
less = make_binary("less", lambda a, b: a < b, compare=True)
less_equal = make_binary("less_equal", lambda a, b: a <= b, compare=True)
greater = make_binary("greater", lambda a, b: a > b, compare=True)
greater_equal = make_binary("greater_equal", lambda a, b: a >= b, compare=True)
logical_and = make_binary("logical_and", lambda a, b: bool(a) and bool(b), compare=True)
logical_or = make_binary("logical_or", lambda a, b: bool(a) or bool(b), compare=True)
logical_xor = make_binary("logical_xor", lambda a, b: bool(a) != bool(b), compare=True)
# ReLU's backward, ``grad * (out > 0)`` in one launch instead of two (mask, then product)
relu_backward = make_binary("relu_backward", lambda g, out: g if out > 0 else g * 0,
                            dtype_like="multiply")


def invert(x):
    """Bitwise not; on a bool array, logical not (numpy's rule)."""
    return logical_not(x) if x.dtype == np.bool_ else _invert(x)


def round(x, decimals: int = 0):  # noqa: A001
    """Round half to even (numpy's rule), to ``decimals`` places."""
    if decimals == 0:
        return rint(x).astype(x.dtype, copy=False)
    scale = 10.0 ** decimals
    return divide(rint(multiply(x, scale)), scale).astype(x.dtype, copy=False)


def clip(x, a_min=None, a_max=None):
    """Limit the values to [a_min, a_max] (either may be None)."""
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


@cuda.jit
def _where_kernel(c, c_off, c_st, x, x_off, x_st, y, y_off, y_st, out, shape, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        if c[c_off + element_offset(i, shape, c_st)]:
            out[i] = x[x_off + element_offset(i, shape, x_st)]
        else:
            out[i] = y[y_off + element_offset(i, shape, y_st)]


def where(condition, x, y):
    """``x`` where ``condition`` is true, else ``y`` (all three broadcast)."""
    from .creation import full

    condition, x, y = _operands(condition, x, y)
    like = next((a for a in (condition, x, y) if isinstance(a, DeviceArray)), None)
    if like is None:
        return np.where(condition, x, y)
    dtype = _result_dtype("add", _dtype_key(x), _dtype_key(y))
    if dtype == np.bool_ and not (isinstance(x, bool) and isinstance(y, bool)):
        dtype = np.result_type(_dtype_key(x) if isinstance(x, DeviceArray) else type(x),
                               _dtype_key(y) if isinstance(y, DeviceArray) else type(y))
    c, x, y = (a if isinstance(a, DeviceArray) else full((), a, dtype=d, device=like.device)
               for a, d in ((condition, np.bool_), (x, dtype), (y, dtype)))
    shape = broadcast_shape(c.shape, x.shape, y.shape)
    result = empty(shape, dtype, like.device_index)
    n = result.size
    if n:
        s, (cs, xs, ys) = plan(shape, *(broadcast_strides(a, shape) for a in (c, x, y)))
        with runtime.using(like.device_index):
            runtime.launch(_where_kernel, n)(c.buf, c.offset, cs, x.buf, x.offset, xs, y.buf,
                                             y.offset, ys, result.buf, s, n)
    return result
