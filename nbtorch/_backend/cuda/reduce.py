"""Reductions (sum, prod, max, min, argmax, ...) along any dims, with a shared-memory tree.

View the input as M rows of K elements: the kept dims index the rows, the reduced dims the
elements of a row (both read through the input's strides, so no transpose or copy is made).
One block reduces one row:

1. each of the block's T threads walks the row in steps of T, combining into its own
   accumulator (``acc = f(acc, x)``);
2. the T partial results go to *shared memory* (fast memory the block's threads share);
3. a tree: threads 0..T/2-1 combine element t with t + T/2, then 0..T/4-1 with t + T/4, ...
   with ``cuda.syncthreads()`` between the steps, until element 0 holds the row's result:
   log2(T) steps instead of T.

A long row (few rows, many elements) is first cut into P parts, reduced by P blocks each,
and the P partial results are reduced again.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from . import runtime
from .array import empty
from .elementwise import divide, multiply, not_equal, sqrt, subtract
from .layout import element_offset, plan
from .runtime import REDUCE_THREADS, cuda

_min, _max = min, max  # the builtins, before this module defines its own


def _axes(axis, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted({a % ndim for a in axes})) if ndim else ()


def _rows(x, axes):
    """(kept shape, kept strides, reduced shape, reduced strides), each padded for kernels."""
    keep = [d for d in range(x.ndim) if d not in axes]
    keep_shape, (keep_st,) = plan([x.shape[d] for d in keep], [x.estrides[d] for d in keep])
    red_shape, (red_st,) = plan([x.shape[d] for d in axes], [x.estrides[d] for d in axes])
    return keep_shape, keep_st, red_shape, red_st


def _out_shape(shape, axes, keepdims) -> tuple:
    if keepdims:
        return tuple(1 if d in axes else s for d, s in enumerate(shape))
    return tuple(s for d, s in enumerate(shape) if d not in axes)


# -- the tree reduction -------------------------------------------------------------------


def _add(a, b):
    return a + b


def _mul(a, b):
    return a * b


def _larger(a, b):
    return a if a != a or a > b else b  # NaN wins, as in numpy's max


def _smaller(a, b):
    return a if a != a or a < b else b


@functools.lru_cache(maxsize=None)
def _tree_kernel(combine, dtype: np.dtype):
    """The reduction kernel for one combine function and accumulator dtype."""
    f = cuda.jit(device=True)(combine)
    acc_type = numba.from_dtype(dtype)
    T = REDUCE_THREADS

    @cuda.jit
    def tree_reduce(x, x_off, keep_shape, keep_st, red_shape, red_st, K, M, P, chunk, identity,
                    out):
        partial = cuda.shared.array(T, acc_type)
        t = cuda.threadIdx.x
        for b in range(cuda.blockIdx.x, M * P, cuda.gridDim.x):  # same b for the whole block
            row, part = b // P, b % P
            base = x_off + element_offset(row, keep_shape, keep_st)
            acc = identity
            end = part * chunk + chunk
            if end > K:
                end = K
            for k in range(part * chunk + t, end, T):
                acc = f(acc, x[base + element_offset(k, red_shape, red_st)])
            partial[t] = acc
            cuda.syncthreads()
            step = T // 2
            while step > 0:
                if t < step:
                    partial[t] = f(partial[t], partial[t + step])
                cuda.syncthreads()
                step //= 2
            if t == 0:
                out[b] = partial[0]
            cuda.syncthreads()

    return tree_reduce


def _reduce(x, axes, combine, identity, dtype):
    """Reduce ``x`` over ``axes`` with ``combine``; a flat contiguous result of M values."""
    keep_shape, keep_st, red_shape, red_st = _rows(x, axes)
    K = 1
    for d in axes:
        K *= x.shape[d]
    M = x.size // K if K else _prod(s for d, s in enumerate(x.shape) if d not in axes)
    T = REDUCE_THREADS
    # cut long rows into P parts, so that enough blocks have work
    P = _max(1, _min((K + 4 * T - 1) // (4 * T), runtime.MAX_BLOCKS // _max(M, 1)))
    chunk = (K + P - 1) // P if K else 1
    kernel = _tree_kernel(combine, np.dtype(dtype))
    out = empty((M * P,), dtype, x.device_index)
    if M:
        with runtime.using(x.device_index):
            runtime.configure(kernel, _min(M * P, runtime.ROW_BLOCKS), T)(
                x.buf, x.offset, keep_shape, keep_st, red_shape, red_st, K, M, P, chunk,
                np.dtype(dtype).type(identity), out.buf)
    if P > 1:
        return _reduce(out.reshape(M, P), (1,), combine, identity, dtype)
    return out


def _prod(values) -> int:
    n = 1
    for v in values:
        n *= v
    return n


def _into(out, result):
    """numpy's ``out=``: the result copied into ``out`` (when given)."""
    if out is None:
        return result
    from .layout import copy_into

    copy_into(out, result)
    return out


def _finish(flat, shape, axes, keepdims):
    return flat.reshape(_out_shape(shape, axes, keepdims))


@functools.lru_cache(maxsize=None)
def _sum_dtype(dtype, requested):
    """The dtype numpy's ``sum`` gives (``requested``, else e.g. int64 for bools and ints)."""
    if requested is not None:
        return np.dtype(requested)
    return np.empty(1, dtype).sum().dtype


def sum(a, axis=None, dtype=None, keepdims=False, out=None):  # noqa: A001
    """Sum over ``axis`` (an int, a tuple, or None for all)."""
    axes = _axes(axis, a.ndim)
    dtype = _sum_dtype(a.dtype, dtype)
    src = a if a.dtype == dtype else a.astype(dtype)
    return _into(out, _finish(_reduce(src, axes, _add, 0, dtype), a.shape, axes, keepdims))


def prod(a, axis=None, dtype=None, keepdims=False):
    axes = _axes(axis, a.ndim)
    dtype = _sum_dtype(a.dtype, dtype)
    src = a if a.dtype == dtype else a.astype(dtype)
    return _finish(_reduce(src, axes, _mul, 1, dtype), a.shape, axes, keepdims)


def _extreme(a, axis, keepdims, combine, largest: bool):
    axes = _axes(axis, a.ndim)
    if a.size == 0 and _prod(s for d, s in enumerate(a.shape) if d not in axes):
        # some result would be the max of no elements (numpy's rule: only then an error)
        raise ValueError("zero-size array to reduction operation which has no identity")
    src = a.astype(np.uint8) if a.dtype == np.bool_ else a
    if src.dtype.kind == "f":
        identity = -np.inf if largest else np.inf
    else:
        info = np.iinfo(src.dtype)
        identity = info.min if largest else info.max
    flat = _reduce(src, axes, combine, identity, src.dtype)
    if a.dtype == np.bool_:
        flat = flat.astype(np.bool_)
    return _finish(flat, a.shape, axes, keepdims)


def max(a, axis=None, keepdims=False, out=None):  # noqa: A001
    """The largest element over ``axis`` (NaN if any is NaN)."""
    return _into(out, _extreme(a, axis, keepdims, _larger, True))


def min(a, axis=None, keepdims=False, out=None):  # noqa: A001
    return _into(out, _extreme(a, axis, keepdims, _smaller, False))


amax, amin = max, min


def all(a, axis=None, keepdims=False):  # noqa: A001
    """True where every element over ``axis`` is nonzero."""
    return min(not_equal(a, 0), axis, keepdims) if a.size else _empty_logical(a, axis, True,
                                                                                keepdims)


def any(a, axis=None, keepdims=False):  # noqa: A001
    """True where some element over ``axis`` is nonzero."""
    return max(not_equal(a, 0), axis, keepdims) if a.size else _empty_logical(a, axis, False,
                                                                                keepdims)


def _empty_logical(a, axis, value, keepdims):
    from .creation import full

    axes = _axes(axis, a.ndim)
    return full(_out_shape(a.shape, axes, keepdims), value, np.bool_, a.device_index)


def count_nonzero(a, axis=None, keepdims=False):
    return sum(not_equal(a, 0), axis=axis, keepdims=keepdims)


def mean(a, axis=None, dtype=None, keepdims=False, out=None):
    """The average over ``axis``: a sum divided by the count (float64 for integers)."""
    axes = _axes(axis, a.ndim)
    if dtype is None:
        dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)
    count = _prod(a.shape[d] for d in axes)
    total = sum(a, axis=axes, dtype=dtype, keepdims=keepdims)
    return _into(out, divide(total, count).astype(dtype, copy=False))


def var(a, axis=None, dtype=None, ddof=0, keepdims=False, correction=None):
    """The average squared distance from the mean, over ``count - ddof``."""
    if correction is not None:
        ddof = correction
    axes = _axes(axis, a.ndim)
    m = mean(a, axis=axes, dtype=dtype, keepdims=True)
    d = subtract(a, m)
    count = _prod(a.shape[k] for k in axes)
    return divide(sum(multiply(d, d), axis=axes, keepdims=keepdims), _max(count - ddof, 0))


def std(a, axis=None, dtype=None, ddof=0, keepdims=False, correction=None):
    """The square root of ``var``."""
    return sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                    correction=correction))


# -- arg-reductions: the tree carries (value, index) pairs ---------------------------------


@functools.lru_cache(maxsize=None)
def _arg_kernel(dtype: np.dtype, largest: bool):
    val_type = numba.from_dtype(dtype)
    T = REDUCE_THREADS

    @cuda.jit(device=True)
    def better(v1, i1, v2, i2):
        """True when (v2, i2) should replace (v1, i1): a larger (smaller) value, the first
        NaN, the lower index on ties; index -1 means "nothing yet"."""
        if i2 < 0:
            return False
        if i1 < 0:
            return True
        if v1 != v1:
            return v2 != v2 and i2 < i1
        if v2 != v2:
            return True
        if v1 == v2:
            return i2 < i1
        return (v2 > v1) if largest else (v2 < v1)

    @cuda.jit
    def tree_arg_reduce(x, x_off, keep_shape, keep_st, red_shape, red_st, K, M, out):
        values = cuda.shared.array(T, val_type)
        where = cuda.shared.array(T, numba.int64)
        t = cuda.threadIdx.x
        for row in range(cuda.blockIdx.x, M, cuda.gridDim.x):
            base = x_off + element_offset(row, keep_shape, keep_st)
            best_i = -1
            best_v = x[base]
            for k in range(t, K, T):
                v = x[base + element_offset(k, red_shape, red_st)]
                if better(best_v, best_i, v, k):
                    best_v, best_i = v, k
            values[t] = best_v
            where[t] = best_i
            cuda.syncthreads()
            step = T // 2
            while step > 0:
                if t < step and better(values[t], where[t], values[t + step], where[t + step]):
                    values[t] = values[t + step]
                    where[t] = where[t + step]
                cuda.syncthreads()
                step //= 2
            if t == 0:
                out[row] = where[0]
            cuda.syncthreads()

    return tree_arg_reduce


def _arg(a, axis, keepdims, largest: bool):
    if a.size == 0:
        raise ValueError("attempt to get argmax of an empty sequence")
    src = a.astype(np.uint8) if a.dtype == np.bool_ else a
    if axis is None:
        src, axes = src.reshape(-1), (0,)
    else:
        axes = (axis % a.ndim,)
    keep_shape, keep_st, red_shape, red_st = _rows(src, axes)
    K = src.shape[axes[0]]
    M = src.size // K
    out = empty((M,), np.int64, a.device_index)
    with runtime.using(a.device_index):
        _arg_kernel(src.dtype, largest)[_min(M, runtime.ROW_BLOCKS), REDUCE_THREADS](
            src.buf, src.offset, keep_shape, keep_st, red_shape, red_st, K, M, out.buf)
    if axis is None:
        return out.reshape((1,) * a.ndim if keepdims else ())
    return out.reshape(_out_shape(a.shape, axes, keepdims))


def argmax(a, axis=None, keepdims=False, out=None):
    """The index of the largest element over ``axis`` (the first one on ties)."""
    return _into(out, _arg(a, axis, keepdims, True))


def argmin(a, axis=None, keepdims=False, out=None):
    return _into(out, _arg(a, axis, keepdims, False))


# -- scans: one thread walks one row --------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _scan_kernel(combine):
    f = cuda.jit(device=True)(combine)

    @cuda.jit
    def scan(x, x_off, keep_shape, keep_st, x_step, out, out_keep_st, out_step, K, M):
        for row in range(cuda.grid(1), M, cuda.gridsize(1)):
            src = x_off + element_offset(row, keep_shape, keep_st)
            dst = element_offset(row, keep_shape, out_keep_st)
            acc = x[src]
            out[dst] = acc
            for k in range(1, K):
                acc = f(acc, x[src + k * x_step])
                out[dst + k * out_step] = acc

    return scan


def _scan(a, axis, dtype, combine):
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis %= a.ndim
    dtype = _sum_dtype(a.dtype, dtype)
    src = a if a.dtype == dtype else a.astype(dtype)
    out = empty(a.shape, dtype, a.device_index)
    K = a.shape[axis]
    M = a.size // K if K else 0
    if M:
        keep = [d for d in range(a.ndim) if d != axis]
        keep_shape, (keep_st, out_keep_st) = plan(
            [a.shape[d] for d in keep], [src.estrides[d] for d in keep],
            [out.estrides[d] for d in keep])
        with runtime.using(a.device_index):
            runtime.launch(_scan_kernel(combine), M)(
                src.buf, src.offset, keep_shape, keep_st, src.estrides[axis], out.buf,
                out_keep_st, out.estrides[axis], K, M)
    return out


def cumsum(a, axis=None, dtype=None):
    """Running sums along ``axis``."""
    return _scan(a, axis, dtype, _add)


def cumprod(a, axis=None, dtype=None):
    """Running products along ``axis``."""
    return _scan(a, axis, dtype, _mul)


def trace(a, offset=0, axis1=0, axis2=1):
    from .creation import diagonal

    return sum(diagonal(a, offset, axis1, axis2), axis=-1)

