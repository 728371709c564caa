"""Strided layouts on the GPU: where element i of a view lives, and copies between layouts.

A kernel over n elements gives each thread a flat index i (row-major over the *output's*
shape). ``element_offset`` turns i into the position of that element in an operand's
buffer, using the operand's strides: peel off the last dimension's index with ``%``, then
divide and go on to the next dimension. A broadcast dimension has stride 0, so every index
along it reads the same element: broadcasting costs nothing.

Before a launch, ``plan`` merges dimensions that are contiguous for every operand (a
contiguous array becomes 1-d: one ``%`` per element instead of one per dimension), then pads
the shape to 4 dimensions, so that one compiled kernel serves most shapes.
"""

from __future__ import annotations

import functools

import numpy as np

from . import runtime
from .array import is_flat
from .runtime import cuda

PAD = 4  # kernels are compiled for this many dims (more only for rare, higher-rank arrays)


@cuda.jit(device=True)
def element_offset(i, shape, strides):
    """The buffer position (relative to the offset) of flat element ``i`` of ``shape``."""
    off = 0
    for d in range(len(shape) - 1, -1, -1):
        n = shape[d]
        off += (i % n) * strides[d]
        i //= n
    return off


def broadcast_strides(array, shape) -> tuple:
    """``array``'s strides (in elements) when it is broadcast to ``shape`` (0 where it repeats)."""
    lead = len(shape) - array.ndim
    out = [0] * lead
    for s, st, target in zip(array.shape, array.estrides, shape[lead:]):
        if s != target and s != 1:
            raise ValueError(f"operands could not be broadcast together with shapes "
                             f"{array.shape} {tuple(shape)}")
        out.append(st if s == target else 0)
    return tuple(out)


def plan(shape, *strides_list):
    """Merge contiguous dims and pad to ``PAD`` dims: (shape, (strides, ...)) for a kernel.
    The answer depends only on these numbers, and a training step asks for the same ones at
    every step: each is worked out once (``_plan``) and kept."""
    return _plan(tuple(shape), tuple(map(tuple, strides_list)))


@functools.lru_cache(maxsize=4096)
def _plan(shape: tuple, strides_list: tuple):
    dims = [i for i, s in enumerate(shape) if s != 1]
    merged_shape = [shape[i] for i in dims]
    merged = [[st[i] for i in dims] for st in strides_list]
    k = len(merged_shape) - 1
    while k > 0:
        if all(st[k - 1] == st[k] * merged_shape[k] for st in merged):
            merged_shape[k - 1] *= merged_shape[k]
            del merged_shape[k]
            for st in merged:
                st[k - 1] = st[k]
                del st[k]
        k -= 1
    pad = max(PAD - len(merged_shape), 0)
    out_shape = tuple([1] * pad + merged_shape)
    return out_shape, tuple(tuple([0] * pad + st) for st in merged)


def cycle_length(a, shape) -> int:
    """``n`` when ``a`` broadcast to ``shape`` reads ``a``'s elements in order, repeating
    every ``n`` (a flat ``a`` whose shape, leading 1s aside, ends ``shape``); else 0."""
    if not is_flat(a):
        return 0
    dims = a.shape
    while dims and dims[0] == 1:
        dims = dims[1:]
    if dims and tuple(shape[len(shape) - len(dims):]) != dims:
        return 0
    return max(a.size, 1)


def broadcast_shape(*shapes) -> tuple:
    """numpy's broadcast result shape."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for d in range(ndim):
        size = 1
        for s in shapes:
            k = d - (ndim - len(s))
            if k >= 0 and s[k] != 1:
                if size != 1 and s[k] != size:
                    raise ValueError("operands could not be broadcast together with shapes "
                                     + " ".join(str(tuple(x)) for x in shapes))
                size = s[k]
        out.append(size)
    return tuple(out)


@cuda.jit
def _copy_kernel(src, src_off, src_strides, dst, dst_off, dst_strides, shape, n):
    start = cuda.grid(1)
    for i in range(start, n, cuda.gridsize(1)):
        dst[dst_off + element_offset(i, shape, dst_strides)] = \
            src[src_off + element_offset(i, shape, src_strides)]


@cuda.jit
def _fill_kernel(dst, dst_off, dst_strides, shape, value, n):
    start = cuda.grid(1)
    for i in range(start, n, cuda.gridsize(1)):
        dst[dst_off + element_offset(i, shape, dst_strides)] = value


# flat versions (see ``elementwise.py``): no strides, element i is at offset + i
@cuda.jit
def _copy_flat_kernel(src, src_off, src_len, dst, dst_off, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        dst[dst_off + i] = src[src_off + i % src_len]


@cuda.jit
def _fill_flat_kernel(dst, dst_off, value, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        dst[dst_off + i] = value


def copy_into(dst, src) -> None:
    """``dst[...] = src``: broadcast ``src`` to ``dst``'s shape, convert its dtype, write
    through ``dst``'s strides (so ``dst`` may be a view)."""
    n = dst.size
    if n == 0:
        return
    src_len = cycle_length(src, dst.shape) if is_flat(dst) else 0
    with runtime.using(dst.device_index):
        if src_len:
            runtime.launch(_copy_flat_kernel, n)(src.buf, src.offset, src_len, dst.buf,
                                                 dst.offset, n)
        else:
            shape, (s_st, d_st) = plan(dst.shape, broadcast_strides(src, dst.shape),
                                       dst.estrides)
            runtime.launch(_copy_kernel, n)(src.buf, src.offset, s_st, dst.buf, dst.offset,
                                            d_st, shape, n)


def fill(dst, value) -> None:
    """``dst[...] = value`` for a Python number."""
    n = dst.size
    if n == 0:
        return
    value = dst.dtype.type(value)
    with runtime.using(dst.device_index):
        if is_flat(dst):
            runtime.launch(_fill_flat_kernel, n)(dst.buf, dst.offset, value, n)
        else:
            shape, (d_st,) = plan(dst.shape, dst.estrides)
            runtime.launch(_fill_kernel, n)(dst.buf, dst.offset, d_st, shape, value, n)


def copy(src, dtype=None):
    """A C-contiguous copy of ``src`` (converted to ``dtype`` if given)."""
    from .array import empty

    out = empty(src.shape, src.dtype if dtype is None else np.dtype(dtype), src.device_index)
    copy_into(out, src)
    return out


def contiguous(src):
    """``src`` itself when it is C-contiguous, else a contiguous copy. (``is_flat`` first:
    the usual case, a quicker test than ``flags``; it runs several times per op.)"""
    return src if is_flat(src) or src.flags.c_contiguous else copy(src)
