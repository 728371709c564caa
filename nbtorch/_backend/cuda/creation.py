"""Making cuda arrays: copies from the host, filled arrays, ranges, and views that only
change shape and strides (``broadcast_to``, ``flip``, ``diagonal``, ``moveaxis``)."""

from __future__ import annotations

import numpy as np

from . import layout, runtime
from .array import DeviceArray, empty
from .layout import element_offset, plan
from .runtime import cuda


def _index(device) -> int:
    if device is None:
        return runtime.current_device()
    if isinstance(device, int):
        return device
    return runtime.current_device() if device.index is None else device.index


def from_numpy(array, device=None) -> DeviceArray:
    """Copy a numpy array to GPU memory (host -> device)."""
    runtime.require()
    array = np.asarray(array, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
    index = _index(device)
    if not 0 <= index < runtime.device_count():
        raise RuntimeError(f"CUDA error: invalid device ordinal (cuda:{index}, "
                           f"{runtime.device_count()} device(s) visible)")
    out = empty(array.shape, array.dtype, index)
    if array.size:
        with runtime.using(index):
            out.buf.copy_to_device(array.reshape(-1))
        if array.dtype.kind in "iu":  # class indices, say: see DeviceArray.known_range
            out.remember_range(int(array.min()), int(array.max()))
    return out


def to_numpy(array) -> np.ndarray:
    """Copy a cuda array to the host (device -> host) as a numpy array."""
    if isinstance(array, np.ndarray):
        return array
    return array.get()


def asarray(data, dtype=None, device=None) -> DeviceArray:
    """``data`` as a cuda array (itself when it already is one with that dtype)."""
    if isinstance(data, DeviceArray):
        return data if dtype is None else data.astype(dtype, copy=False)
    return from_numpy(np.asarray(data, dtype=dtype), device)


def array(data, dtype=None, device=None, copy=True) -> DeviceArray:
    if isinstance(data, DeviceArray):
        return data.astype(data.dtype if dtype is None else dtype, copy=copy)
    return from_numpy(np.array(data, dtype=dtype), device)


def full(shape, fill_value, dtype=None, device=None) -> DeviceArray:
    """A new array of ``shape`` holding ``fill_value`` everywhere (one fill kernel)."""
    runtime.require()
    if isinstance(fill_value, DeviceArray):  # numpy allows an array as the fill value
        out = empty(_shape(shape), dtype or fill_value.dtype, fill_value.device_index)
        layout.copy_into(out, fill_value)
        return out
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
    out = empty(_shape(shape), dtype, _index(device))
    layout.fill(out, fill_value)
    return out


def _shape(shape) -> tuple:
    return tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)


def zeros(shape, dtype=np.float64, device=None) -> DeviceArray:
    return full(shape, 0, dtype, device)


def ones(shape, dtype=np.float64, device=None) -> DeviceArray:
    return full(shape, 1, dtype, device)


def empty_like(a, dtype=None) -> DeviceArray:
    return empty(a.shape, a.dtype if dtype is None else dtype, a.device_index)


def zeros_like(a, dtype=None) -> DeviceArray:
    return full(a.shape, 0, a.dtype if dtype is None else dtype, a.device_index)


def ones_like(a, dtype=None) -> DeviceArray:
    return full(a.shape, 1, a.dtype if dtype is None else dtype, a.device_index)


def full_like(a, fill_value, dtype=None) -> DeviceArray:
    return full(a.shape, fill_value, a.dtype if dtype is None else dtype, a.device_index)


@cuda.jit
def _arange_kernel(out, start, step, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = start + i * step


def arange(start, stop=None, step=1, dtype=None, device=None) -> DeviceArray:
    """``start, start + step, ...`` below ``stop``, computed on the GPU."""
    if stop is None:
        start, stop = 0, start
    n = max(int(np.ceil((stop - start) / step)), 0)
    dtype = np.dtype(dtype) if dtype is not None else np.arange(start, stop, step).dtype
    out = empty((n,), dtype, _index(device))
    if n:
        runtime.launch(_arange_kernel, n)(out.buf, np.float64(start), np.float64(step), n)
    return out


def linspace(start, stop, num=50, dtype=None, device=None) -> DeviceArray:
    return from_numpy(np.linspace(start, stop, num, dtype=dtype), device)


@cuda.jit
def _tri_kernel(x, x_off, x_st, shape, out, rows, cols, k, lower, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        c = i % cols
        r = (i // cols) % rows
        keep = (c - r <= k) if lower else (c - r >= k)
        if keep:
            out[i] = x[x_off + element_offset(i, shape, x_st)]
        else:
            out[i] = 0


def _tri(m, k: int, lower: bool) -> DeviceArray:
    out = empty(m.shape, m.dtype, m.device_index)
    n = out.size
    if n:
        shape, (st,) = plan(m.shape, m.estrides)
        runtime.launch(_tri_kernel, n)(m.buf, m.offset, st, shape, out.buf, m.shape[-2],
                                       m.shape[-1], k, lower, n)
    return out


def tril(m, k: int = 0) -> DeviceArray:
    """The lower triangle (``j - i <= k``) of the last two dims; zeros above."""
    return _tri(m, k, True)


def triu(m, k: int = 0) -> DeviceArray:
    """The upper triangle (``j - i >= k``); zeros below."""
    return _tri(m, k, False)


def eye(n, m=None, k=0, dtype=np.float64, device=None) -> DeviceArray:
    out = zeros((n, n if m is None else m), dtype, device)
    diagonal(out, k).fill(1)
    return out


# -- views --------------------------------------------------------------------------------


def broadcast_to(a, shape) -> DeviceArray:
    """``a`` repeated along new and size-1 dims, as a view with stride 0 there."""
    shape = tuple(shape)
    return DeviceArray(a.buf, a.offset, shape, layout.broadcast_strides(a, shape),
                       a.device_index)


def flip(a, axis=None) -> DeviceArray:
    """Reverse the order along ``axis`` (a view with a negative stride)."""
    axes = range(a.ndim) if axis is None else (axis if isinstance(axis, (tuple, list))
                                               else (axis,))
    offset, strides = a.offset, list(a.estrides)
    for ax in axes:
        ax %= a.ndim
        if a.shape[ax]:
            offset += (a.shape[ax] - 1) * strides[ax]
        strides[ax] = -strides[ax]
    return DeviceArray(a.buf, offset, a.shape, strides, a.device_index)


def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1) -> DeviceArray:
    """The diagonal of dims ``axis1``, ``axis2`` as a view (moved to the last dim)."""
    axis1, axis2 = axis1 % a.ndim, axis2 % a.ndim
    start = a.offset
    rows, cols = a.shape[axis1], a.shape[axis2]
    if offset >= 0:
        n = max(min(rows, cols - offset), 0)
        start += offset * a.estrides[axis2] if n else 0
    else:
        n = max(min(rows + offset, cols), 0)
        start += -offset * a.estrides[axis1] if n else 0
    keep = [d for d in range(a.ndim) if d not in (axis1, axis2)]
    shape = [a.shape[d] for d in keep] + [n]
    strides = [a.estrides[d] for d in keep] + [a.estrides[axis1] + a.estrides[axis2]]
    return DeviceArray(a.buf, start, shape, strides, a.device_index)


def diag(v, k: int = 0) -> DeviceArray:
    """A 1-d ``v`` on the diagonal of a square matrix, or the diagonal of a 2-d ``v``."""
    if v.ndim == 1:
        n = v.shape[0] + (k if k >= 0 else -k)
        out = zeros((n, n), v.dtype, v.device_index)
        layout.copy_into(diagonal(out, k), v)
        return out
    return diagonal(v, k).copy()



def expand_dims(a, axis) -> DeviceArray:
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    shape = list(a.shape)
    for ax in sorted(x % (a.ndim + len(axes)) for x in axes):
        shape.insert(ax, 1)
    return a.reshape(shape)


def moveaxis(a, source, destination) -> DeviceArray:
    src = [s % a.ndim for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [d % a.ndim for d in (destination if isinstance(destination, (tuple, list))
                                else (destination,))]
    order = [d for d in range(a.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def swapaxes(a, axis1: int, axis2: int) -> DeviceArray:
    return a.swapaxes(axis1, axis2)


def ascontiguousarray(a) -> DeviceArray:
    """``a`` itself when C-contiguous, else a contiguous copy (the strided copy kernel)."""
    return layout.contiguous(a)


# -- joining ------------------------------------------------------------------------------


def concatenate(arrays, axis: int = 0, dtype=None) -> DeviceArray:
    """Join arrays along an existing dim: one copy kernel per input into a slice of the
    output."""
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [a.reshape(-1) for a in arrays], 0
    first = arrays[0]
    axis %= first.ndim
    if dtype is None:
        dtype = np.result_type(*(a.dtype for a in arrays))
    shape = list(first.shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = empty(shape, dtype, first.device_index)
    start = 0
    for a in arrays:
        part = DeviceArray(out.buf, out.offset + start * out.estrides[axis], a.shape,
                           out.estrides, out.device_index)
        layout.copy_into(part, a)
        start += a.shape[axis]
    return out


def stack(arrays, axis: int = 0) -> DeviceArray:
    """Join arrays along a new dim."""
    arrays = list(arrays)
    axis %= arrays[0].ndim + 1
    return concatenate([expand_dims(a, axis) for a in arrays], axis)


def outer(a, b) -> DeviceArray:
    from .elementwise import multiply

    return multiply(a.reshape(-1, 1), b.reshape(1, -1))



def pad(a, pad_width, mode: str = "constant", constant_values=0) -> DeviceArray:
    """numpy's ``pad`` with a constant: a filled array, then ``a`` copied into its middle."""
    if mode != "constant":
        raise NotImplementedError(f"pad mode '{mode}' on cuda arrays")
    widths = [tuple(w) for w in pad_width]
    out = full([s + lo + hi for s, (lo, hi) in zip(a.shape, widths)], constant_values,
               a.dtype, a.device_index)
    middle = tuple(slice(lo, lo + s) for s, (lo, _) in zip(a.shape, widths))
    layout.copy_into(out[middle], a)
    return out
