"""Indexing cuda arrays: ``a[key]``, ``a[key] = v``, ``add.at``, ``take_along_axis``.

*Basic* keys (ints, slices, ``None``, ``...``) only change the offset, shape and strides:
the result is a view, computed here on the host without touching GPU memory.

*Advanced* keys (integer arrays, lists, boolean masks) pick arbitrary elements, so a
kernel does the work. numpy's rule for where the picked dims go: the index arrays
broadcast to one shape B; if they index adjacent dims, B replaces those dims in place,
else B comes first. We transpose the indexed dims to the front, so every case becomes
``out[b, r] = v[idx_0[b], idx_1[b], ..., r]`` (b over B, r over the remaining dims),
with the index arrays stacked as the rows of one int64 matrix. Indices are checked on the
GPU: a kernel that meets one out of range sets an error flag that we read back.
"""

from __future__ import annotations

import numpy as np

from . import layout, runtime
from .array import DeviceArray, c_strides, empty
from .layout import broadcast_shape, broadcast_strides, element_offset, plan
from .runtime import cuda


def _is_index_array(k) -> bool:
    return isinstance(k, (DeviceArray, np.ndarray, list))


def _expand(a, key):
    """The key as a list of items, lists made numpy arrays, masks turned into int arrays,
    and ``...`` replaced by full slices."""
    items = list(key) if isinstance(key, tuple) else [key]
    out = []
    for k in items:
        if isinstance(k, list):
            k = np.asarray(k)
            if k.dtype == np.float64 and k.size == 0:
                k = k.astype(np.int64)
        if isinstance(k, (np.ndarray, DeviceArray)) and k.dtype == np.bool_:
            out.extend(np.nonzero(k.get() if isinstance(k, DeviceArray) else k))
        else:
            out.append(k)
    used = sum(1 for k in out if k is not None and k is not Ellipsis)
    if used > a.ndim:
        raise IndexError(f"too many indices for array: array is {a.ndim}-dimensional, but "
                         f"{used} were indexed")
    if Ellipsis in [k for k in out if not _is_index_array(k)]:
        i = next(j for j, k in enumerate(out) if k is Ellipsis)
        out[i:i + 1] = [slice(None)] * (a.ndim - used)
    else:
        out += [slice(None)] * (a.ndim - used)
    return out


def _basic_view(a, items):
    """Apply ints, slices and None (a view); array items keep their dim as a full slice."""
    offset, shape, strides, dim = a.offset, [], [], 0
    for k in items:
        if k is None:
            shape.append(1)
            strides.append(0)
            continue
        n, st = a.shape[dim], a.estrides[dim]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            shape.append(len(range(start, stop, step)))
            strides.append(st * step)
            offset += start * st if shape[-1] else 0
        elif _is_index_array(k):
            shape.append(n)
            strides.append(st)
        else:
            i = int(k)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}")
            offset += (i + n if i < 0 else i) * st
        dim += 1
    return a._view(offset, shape, strides)


def _plan_advanced(a, key):
    """(view with indexed dims first, stacked int64 indices, B, final dim order or None)."""
    items = _expand(a, key)
    if any(k is None for k in items):
        raise IndexError("nbtorch's cuda arrays do not mix None with advanced indexing")
    # with index arrays present, ints are index arrays too (numpy's rule)
    items = [np.asarray(k) if isinstance(k, (int, np.integer)) else k for k in items]
    view = _basic_view(a, items)
    dims = [d for d, k in enumerate(items) if _is_index_array(k)]
    arrays = [items[d] for d in dims]
    B = broadcast_shape(*(k.shape for k in arrays))
    nB = 1
    for s in B:
        nB *= s
    stacked = empty((len(arrays), nB), np.int64, a.device_index)
    for j, k in enumerate(arrays):
        row = DeviceArray(stacked.buf, j * nB, B, c_strides(B), a.device_index)
        if isinstance(k, np.ndarray):
            if k.dtype.kind not in "iu":
                raise IndexError("arrays used as indices must be of integer (or boolean) type")
            k = layout.copy(_from_host(k, a.device_index), np.int64) if k.ndim else int(k)
        if isinstance(k, DeviceArray):
            layout.copy_into(row, k)
        else:
            layout.fill(row, k)
    rest = [d for d in range(view.ndim) if d not in dims]
    front = view.transpose(dims + rest)
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    move = None
    if adjacent and dims[0] > 0:  # B goes back to where the indexed dims were
        nb, first = len(B), dims[0]
        order = list(range(nb, nb + first)) + list(range(nb)) + \
            list(range(nb + first, nb + len(rest)))
        move = order
    return front, stacked, B, len(dims), move


def _from_host(array, device_index):
    from .creation import from_numpy

    return from_numpy(array, device_index)


@cuda.jit
def _gather_kernel(v, v_off, adv_sizes, adv_st, rest_shape, rest_st, idx, out, R, n, err):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        b, r = i // R, i % R
        off = v_off + element_offset(r, rest_shape, rest_st)
        ok = True
        for j in range(len(adv_sizes)):
            ix = idx[j, b]
            if ix < 0:
                ix += adv_sizes[j]
            if ix < 0 or ix >= adv_sizes[j]:
                ok = False
            off += ix * adv_st[j]
        if ok:
            out[i] = v[off]
        else:
            err[0] = 1


@cuda.jit
def _scatter_kernel(v, v_off, adv_sizes, adv_st, rest_shape, rest_st, idx, src, src_off,
                    src_st, src_shape, R, n, accumulate, err):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        b, r = i // R, i % R
        off = v_off + element_offset(r, rest_shape, rest_st)
        ok = True
        for j in range(len(adv_sizes)):
            ix = idx[j, b]
            if ix < 0:
                ix += adv_sizes[j]
            if ix < 0 or ix >= adv_sizes[j]:
                ok = False
            off += ix * adv_st[j]
        if ok:
            value = src[src_off + element_offset(i, src_shape, src_st)]
            if accumulate:
                cuda.atomic.add(v, off, value)  # repeated indices add up, safely
            else:
                v[off] = value
        else:
            err[0] = 1


def _raise_if_flagged(err, front, k) -> None:
    if err.copy_to_host()[0]:
        sizes = front.shape[:k]
        raise IndexError(f"index out of range: an index is out of bounds for dims of size "
                         f"{list(sizes)}")


def _kernel_args(front, k):
    adv_sizes, adv_st = tuple(front.shape[:k]), tuple(front.estrides[:k])
    rest_shape, (rest_st,) = plan(front.shape[k:], front.estrides[k:])
    R = 1
    for s in front.shape[k:]:
        R *= s
    return adv_sizes, adv_st, rest_shape, rest_st, R


def _has_index_array(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return any(_is_index_array(k) for k in items)


def getitem(a, key):
    """``a[key]``: a view for basic keys, a gathered copy for advanced ones."""
    if not _has_index_array(key):
        return _basic_view(a, _expand(a, key))
    front, stacked, B, k, move = _plan_advanced(a, key)
    adv_sizes, adv_st, rest_shape, rest_st, R = _kernel_args(front, k)
    out = empty(tuple(B) + front.shape[k:], a.dtype, a.device_index)
    n = out.size
    if n:
        err = cuda.to_device(np.zeros(1, np.int32))
        with runtime.using(a.device_index):
            runtime.launch(_gather_kernel, n)(front.buf, front.offset, adv_sizes, adv_st,
                                              rest_shape, rest_st, stacked.buf.reshape(
                                                  stacked.shape), out.buf, R, n, err)
        _raise_if_flagged(err, front, k)
    return out if move is None else out.transpose(move)


def _as_device_value(value, like):
    from .creation import full

    if isinstance(value, DeviceArray):
        return value
    if isinstance(value, np.ndarray) and value.ndim:
        return _from_host(value, like.device_index)
    return full((), value.item() if isinstance(value, (np.ndarray, np.generic)) else value,
                like.dtype, like.device_index)


def _scatter(a, key, value, accumulate: bool) -> None:
    front, stacked, B, k, move = _plan_advanced(a, key)
    adv_sizes, adv_st, rest_shape, rest_st, R = _kernel_args(front, k)
    shape_b_first = tuple(B) + front.shape[k:]
    final = shape_b_first if move is None else tuple(shape_b_first[i] for i in move)
    src = _as_device_value(value, a)
    src = layout.copy(src, a.dtype) if src.dtype != a.dtype else src
    src_st = broadcast_strides(src, final)
    if move is not None:  # the value is given in the final order: back to B-first order
        inverse = [0] * len(move)
        for i, m in enumerate(move):
            inverse[m] = i
        src_st = tuple(src_st[i] for i in inverse)
    n = 1
    for s in shape_b_first:
        n *= s
    if n == 0:
        return
    src_shape, (src_st,) = plan(shape_b_first, src_st)
    err = cuda.to_device(np.zeros(1, np.int32))
    with runtime.using(a.device_index):
        runtime.launch(_scatter_kernel, n)(front.buf, front.offset, adv_sizes, adv_st,
                                           rest_shape, rest_st,
                                           stacked.buf.reshape(stacked.shape), src.buf,
                                           src.offset, src_st, src_shape, R, n, accumulate,
                                           err)
    _raise_if_flagged(err, front, k)


def setitem(a, key, value) -> None:
    """``a[key] = value`` (value broadcast and converted to ``a``'s dtype)."""
    if _has_index_array(key):
        _scatter(a, key, value, accumulate=False)
        return
    view = _basic_view(a, _expand(a, key))
    if isinstance(value, DeviceArray):
        layout.copy_into(view, value)
    elif isinstance(value, np.ndarray) and value.ndim:
        layout.copy_into(view, _from_host(value, a.device_index))
    else:
        layout.fill(view, value.item() if isinstance(value, (np.ndarray, np.generic)) else value)


def index_add_at(out, key, values) -> None:
    """``out[key] += values``, adding once for every time an index repeats
    (``numpy.add.at``): atomic adds on the GPU."""
    from .elementwise import add

    if _has_index_array(key):
        _scatter(out, key, values, accumulate=True)
    else:
        view = _basic_view(out, _expand(out, key))
        layout.copy_into(view, add(view, values))


def _along_axis_key(indices, axis: int, ndim: int):
    """The advanced key that picks ``indices`` along ``axis`` and stays put elsewhere."""
    from .creation import arange

    key = []
    for d in range(ndim):
        if d == axis:
            key.append(indices)
        else:
            shape = [1] * ndim
            shape[d] = indices.shape[d]
            key.append(arange(indices.shape[d], dtype=np.int64,
                              device=indices.device_index).reshape(shape))
    return tuple(key)


def take_along_axis(arr, indices, axis: int):
    """``out[i, j] = arr[i, indices[i, j]]`` (for axis=1), numpy's ``take_along_axis``."""
    axis %= arr.ndim
    if isinstance(indices, np.ndarray):
        indices = _from_host(indices, arr.device_index)
    return getitem(arr, _along_axis_key(indices, axis, arr.ndim))


def put_along_axis(arr, indices, values, axis: int) -> None:
    """``arr[i, indices[i, j]] = values[i, j]`` (for axis=1)."""
    axis %= arr.ndim
    if isinstance(indices, np.ndarray):
        indices = _from_host(indices, arr.device_index)
    setitem(arr, _along_axis_key(indices, axis, arr.ndim), values)


def take(a, indices, axis=None):
    if axis is None:
        return getitem(a.reshape(-1), indices)
    axis %= a.ndim
    return getitem(a, (slice(None),) * axis + (indices,))


def nonzero(a):
    """The indices of the nonzero elements, one int64 array per dim (via the host: the
    count decides the result's size)."""
    from .creation import from_numpy

    return tuple(from_numpy(i.astype(np.int64), a.device_index) for i in np.nonzero(a.get()))
