"""Fused softmax, log-softmax and cross-entropy over the last dim: one block per row.

Composed from separate kernels, softmax reads the row three times from global memory
(max, sum of exp, divide) and launches five kernels. Here one block does a row: its
threads find the row's max with a shared-memory tree, then the sum of exp(x - max) the
same way, then write the result. Subtracting the max first keeps exp from overflowing.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from . import layout, runtime
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
def _softmax_kernel(dtype: np.dtype, log: bool):
    T = numba.from_dtype(dtype)

    @cuda.jit
    def kernel(x, out, rows, cols):
        partial = cuda.shared.array(REDUCE_THREADS, T)
        t = cuda.threadIdx.x
        for r in range(cuda.blockIdx.x, rows, cuda.gridDim.x):
            base = r * cols
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
            for c in range(t, cols, REDUCE_THREADS):
                if log:
                    out[base + c] = x[base + c] - m - math.log(s)
                else:
                    out[base + c] = math.exp(x[base + c] - m) / s

    return kernel


def _rows(x, log):
    x = layout.contiguous(x)
    cols = x.shape[-1] if x.ndim else 1
    rows = x.size // cols if cols else 0
    out = empty(x.shape, x.dtype, x.device_index)
    if rows and cols:
        with runtime.using(x.device_index):
            _softmax_kernel(x.dtype, log)[min(rows, runtime.ROW_BLOCKS), REDUCE_THREADS](
                x.buf[x.offset:], out.buf, rows, cols)
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


@cuda.jit
def _nll_kernel(logp, target, out, rows, cols):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        t = target[r]
        if 0 <= t < cols:
            out[r] = -logp[r * cols + t]


def cross_entropy(logits, target):
    """Per-row -log softmax(logits)[target]: log-softmax rows, then one gather kernel."""
    logp = log_softmax(logits, -1)
    rows, cols = logp.shape
    target = layout.contiguous(target.astype(np.int64, copy=False))
    out = empty((rows,), logits.dtype, logits.device_index)
    if rows:
        with runtime.using(logits.device_index):
            runtime.launch(_nll_kernel, rows)(logp.buf, target.buf[target.offset:], out.buf,
                                              rows, cols)
    return out
