"""Fused softmax, log-softmax and cross-entropy over the last dim: one block per row.

Composed from separate kernels, softmax reads the row three times from global memory
(max, sum of exp, divide) and launches five kernels. Here one block does a row: its
threads find the row's max with a shared-memory tree, then the sum of exp(x - max) the
same way, then write the result. Subtracting the max first keeps exp from overflowing.

Cross entropy needs only each row's log-sum-exp ``lse = max + log(sum exp(x - max))``:
the loss of row r is ``lse_r - x[r, target_r]`` and its gradient is
``softmax(x_r) - onehot(target_r) = exp(x_r - lse_r) - onehot(target_r)``. So its forward is
one row kernel (and one sum for the mean; for short rows one kernel does both) and its
backward one elementwise kernel.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from . import layout, reduce, runtime
from .array import empty
from .runtime import REDUCE_THREADS, cuda


@cuda.jit(device=True)
def _block_reduce(partial, t, use_max):
    """Tree-reduce ``partial`` (one value per thread) into partial[0]; all threads wait."""
    cuda.syncthreads()
    step = REDUCE_THREADS // 2
    while step > 0:
        if t < step:
            if use_max:
                partial[t] = max(partial[t], partial[t + step])
            else:
                partial[t] = partial[t] + partial[t + step]
        cuda.syncthreads()
        step //= 2
    value = partial[0]
    cuda.syncthreads()
    return value


@functools.lru_cache(maxsize=None)
def _row_max_sumexp(dtype: np.dtype):
    """The device function ``(m, s) = max_sumexp(x, base, cols, partial, t)``: the max ``m``
    of the row x[base : base + cols] and the sum ``s`` of exp(x - m) over it, found by the
    whole block (every thread gets both)."""
    T = numba.from_dtype(dtype)

    @cuda.jit(device=True)
    def max_sumexp(x, base, cols, partial, t):
        m = T(-math.inf)
        for c in range(t, cols, REDUCE_THREADS):
            m = max(m, x[base + c])
        partial[t] = m
        m = _block_reduce(partial, t, True)
        s = T(0)
        for c in range(t, cols, REDUCE_THREADS):
            s += math.exp(x[base + c] - m)
        partial[t] = s
        s = _block_reduce(partial, t, False)
        return m, s

    return max_sumexp


@functools.lru_cache(maxsize=None)
def _softmax_kernel(dtype: np.dtype, log: bool):
    T = numba.from_dtype(dtype)
    max_sumexp = _row_max_sumexp(dtype)

    @cuda.jit
    def softmax_rows(x, x_off, out, rows, cols):
        partial = cuda.shared.array(REDUCE_THREADS, T)
        t = cuda.threadIdx.x
        for r in range(cuda.blockIdx.x, rows, cuda.gridDim.x):
            base = x_off + r * cols
            m, s = max_sumexp(x, base, cols, partial, t)
            for c in range(t, cols, REDUCE_THREADS):
                if log:
                    out[r * cols + c] = x[base + c] - m - math.log(s)
                else:
                    out[r * cols + c] = math.exp(x[base + c] - m) / s

    return softmax_rows


def _rows(x, log):
    x = layout.contiguous(x)
    cols = x.shape[-1] if x.ndim else 1
    rows = x.size // cols if cols else 0
    out = empty(x.shape, x.dtype, x.device_index)
    if rows and cols:
        with runtime.using(x.device_index):
            runtime.configure(_softmax_kernel(x.dtype, log), min(rows, runtime.ROW_BLOCKS),
                              REDUCE_THREADS)(x.buf, x.offset, out.buf, rows, cols)
    return out


def softmax(x, axis=-1):
    """exp(x - max) / sum(exp(x - max)) along ``axis`` (one block per row)."""
    if x.ndim == 0:  # one number: a row of one
        return softmax(x.reshape(1)).reshape(())
    moved = axis % x.ndim != x.ndim - 1
    src = x.swapaxes(axis, -1) if moved else x
    out = _rows(src, log=False)
    return out.swapaxes(axis, -1) if moved else out


def log_softmax(x, axis=-1):
    """x - max - log(sum(exp(x - max))) along ``axis``."""
    if x.ndim == 0:
        return log_softmax(x.reshape(1)).reshape(())
    moved = axis % x.ndim != x.ndim - 1
    src = x.swapaxes(axis, -1) if moved else x
    out = _rows(src, log=True)
    return out.swapaxes(axis, -1) if moved else out


@functools.lru_cache(maxsize=None)
def _cross_entropy_kernel(dtype: np.dtype):
    T = numba.from_dtype(dtype)
    max_sumexp = _row_max_sumexp(dtype)

    @cuda.jit
    def cross_entropy_rows_kernel(x, x_off, target, t_off, factor, rows, cols, loss, lse):
        partial = cuda.shared.array(REDUCE_THREADS, T)
        t = cuda.threadIdx.x
        for r in range(cuda.blockIdx.x, rows, cuda.gridDim.x):
            base = x_off + r * cols
            m, s = max_sumexp(x, base, cols, partial, t)
            if t == 0:
                row_lse = m + math.log(s)
                lse[r] = row_lse
                k = target[t_off + r]
                if 0 <= k < cols:
                    loss[r] = (row_lse - x[base + k]) * factor
                else:  # the caller checks the targets first; never read outside the row
                    loss[r] = T(math.nan)

    return cross_entropy_rows_kernel


def cross_entropy_rows(x, target, factor):
    """The cross entropy of each row of logits ``x`` (rows, C) with its class ``target``
    (rows,) (int64, C-contiguous, already checked to lie in [0, C)), in one launch.

    Row r's log-sum-exp is ``lse_r = m_r + log(sum_c exp(x_rc - m_r))`` (m_r its max) and
    its loss ``(lse_r - x[r, target_r]) * factor``: with factor = 1 / rows, the losses sum
    to their mean. Returns ``(loss, lse)``, both (rows,); backward needs only ``lse``.
    """
    x = layout.contiguous(x)
    rows, cols = x.shape
    loss = empty((rows,), x.dtype, x.device_index)
    lse = empty((rows,), x.dtype, x.device_index)
    if rows and cols:
        with runtime.using(x.device_index):
            runtime.configure(_cross_entropy_kernel(x.dtype), min(rows, runtime.ROW_BLOCKS),
                              REDUCE_THREADS)(x.buf, x.offset, target.buf, target.offset,
                                              x.dtype.type(factor), rows, cols, loss.buf,
                                              lse.buf)
    return loss, lse


NARROW = 32  # rows of at most this many classes: cross_entropy_sum's one-launch kernel


@functools.lru_cache(maxsize=None)
def _cross_entropy_sum_kernel(dtype: np.dtype):
    T = numba.from_dtype(dtype)

    @cuda.jit
    def cross_entropy_sum_kernel(x, x_off, target, t_off, factor, rows, cols, lse, total):
        partial = cuda.shared.array(REDUCE_THREADS, T)
        t = cuda.threadIdx.x
        acc = T(0)  # this thread's share of the sum
        for r in range(t, rows, REDUCE_THREADS):  # one thread per row: rows t, t + T, ...
            base = x_off + r * cols
            m = T(-math.inf)
            for c in range(cols):
                m = max(m, x[base + c])
            s = T(0)
            for c in range(cols):
                s += math.exp(x[base + c] - m)
            row_lse = m + math.log(s)
            lse[r] = row_lse
            k = target[t_off + r]
            if 0 <= k < cols:
                acc += (row_lse - x[base + k]) * factor
            else:  # the caller checks the targets first; never read outside the row
                acc += T(math.nan)
        partial[t] = acc
        acc = _block_reduce(partial, t, False)  # the block adds up its threads' sums
        if t == 0:
            total[0] = acc

    return cross_entropy_sum_kernel


def cross_entropy_sum(x, target, factor):
    """``(loss.sum(), lse)`` for ``loss, lse = cross_entropy_rows(x, target, factor)``: the
    loss of a mean (factor 1 / rows) or a sum (factor 1), as a 0-d array.

    A classifier's rows are short (10 classes for MNIST): a whole block per row, as in
    ``cross_entropy_rows``, leaves most of its threads idle, and the sum would be a second
    launch. For rows of at most ``NARROW`` classes ONE block does everything: each thread
    takes whole rows (its log-sum-exp and loss, in a loop over the row), adds their losses
    up, and the block's shared-memory tree adds up the threads' sums. Wider rows take
    ``cross_entropy_rows`` and a sum (two launches)."""
    x = layout.contiguous(x)
    rows, cols = x.shape
    if cols > NARROW or not rows:
        loss, lse = cross_entropy_rows(x, target, factor)
        return reduce.sum(loss), lse
    total = empty((), x.dtype, x.device_index)
    lse = empty((rows,), x.dtype, x.device_index)
    with runtime.using(x.device_index):
        runtime.configure(_cross_entropy_sum_kernel(x.dtype), 1, REDUCE_THREADS)(
            x.buf, x.offset, target.buf, target.offset, x.dtype.type(factor), rows, cols,
            lse.buf, total.buf)
    return total, lse


@functools.lru_cache(maxsize=None)
def _cross_entropy_backward_kernel(dtype: np.dtype):
    T = numba.from_dtype(dtype)

    @cuda.jit
    def cross_entropy_backward_kernel(x, x_off, lse, target, t_off, g, g_off, g_stride, factor,
                                      rows, cols, out):
        for i in range(cuda.grid(1), rows * cols, cuda.gridsize(1)):
            r = i // cols
            c = i - r * cols
            p = math.exp(x[x_off + i] - lse[r])  # softmax(x)[r, c]
            if c == target[t_off + r]:
                p -= T(1)
            out[i] = g[g_off + r * g_stride] * factor * p

    return cross_entropy_backward_kernel


def cross_entropy_rows_backward(x, lse, target, grad, factor):
    """The gradient of ``cross_entropy_rows``' losses with respect to ``x``, in one launch:
    ``dx[r, c] = grad_r * factor * (exp(x_rc - lse_r) - (c == target_r))``, i.e. the famous
    softmax minus one-hot, scaled.

    ``grad`` is the incoming gradient on the device: one number (0-d, for a mean or a sum
    of the rows) or one per row (rows,); it is read there, never copied to the host.
    """
    x = layout.contiguous(x)
    rows, cols = x.shape
    out = empty(x.shape, x.dtype, x.device_index)
    g_stride = grad.estrides[0] if grad.ndim else 0
    if rows and cols:
        with runtime.using(x.device_index):
            runtime.launch(_cross_entropy_backward_kernel(x.dtype), rows * cols)(
                x.buf, x.offset, lse.buf, target.buf, target.offset, grad.buf, grad.offset,
                g_stride, x.dtype.type(factor), rows, cols, out.buf)
    return out
