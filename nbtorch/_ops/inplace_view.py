"""In-place changes through a view, for autograd (``y[1:] += v``, ``y.t().mul_(2)``).

A view shares memory with its base: writing into the view changes the base. Autograd has
to see that too. So an in-place op on a view is recorded as an op on the *base*:
``CopySlices`` makes the base's new value, the old base with the view's elements replaced,
and the base takes it over as its output. The view then becomes a fresh view of the changed
base (``view_of``, through ``as_strided``), and so does every other view of that base
that autograd knows of. This is what PyTorch does (its backward nodes are called
``CopySlices`` and ``AsStridedBackward``).

Both functions need to know where a view's elements sit in its base: its *geometry*, the
view's shape, its strides counted in elements, and the offset of its first element, for a
base whose elements lie one after the other (C-contiguous). ``geometry`` works it out from
the two arrays' memory addresses.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


def geometry(view, base) -> tuple | None:
    """(shape, strides, offset) of array ``view`` inside the C-contiguous array ``base``, in
    elements; None when nbtorch cannot express it (``base`` not C-contiguous, another
    dtype)."""
    if view.dtype != base.dtype or not base.flags.c_contiguous:
        return None
    if isinstance(base, np.ndarray):
        start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        if start % base.itemsize or any(s % base.itemsize for s in view.strides):
            return None
        offset, strides = start // base.itemsize, tuple(s // base.itemsize for s in view.strides)
    else:  # a cuda DeviceArray: a buffer, an offset and strides, all in elements
        if view.buf is not base.buf:
            return None
        offset, strides = view.offset - base.offset, view.estrides
    return tuple(view.shape), strides, offset


def overlaps(shape, strides) -> bool:
    """True when two elements of a view may share memory. From the smallest stride up, each
    stride must step past everything the smaller ones reach (a sufficient test)."""
    reach = 0
    for stride, size in sorted((abs(st), n) for n, st in zip(shape, strides) if n > 1):
        if stride <= reach:
            return True
        reach += stride * (size - 1)
    return False


def strided(array, shape, strides, offset: int):
    """The view of the C-contiguous ``array`` with that geometry (sharing its memory)."""
    if isinstance(array, np.ndarray):
        item = array.itemsize
        return np.lib.stride_tricks.as_strided(
            array.reshape(-1)[offset:], shape, tuple(s * item for s in strides))
    return type(array)(array.buf, array.offset + offset, shape, strides, array.device_index)


def view_of(tensor, geom):
    """The view with geometry ``geom`` of the C-contiguous ``tensor``, recorded by autograd:
    ``as_strided``'s Function (``strided.AsStrided``), whose offset counts from the start of
    the storage rather than from ``tensor``'s first element. Its gradient adds up, at each
    element of ``tensor``, the gradients of the view elements that read it."""
    from .shape import storage_offset
    from .strided import AsStrided

    shape, strides, offset = geom
    return AsStrided.apply(tensor, shape, strides, storage_offset(tensor) + offset)


class CopySlices(Function):
    """A copy of the C-contiguous ``base`` in which the view with geometry ``geom`` (whose
    elements do not overlap) holds ``values``. Its gradient: the incoming one with the
    view's elements zeroed for ``base`` (they were overwritten), and the view's elements of
    it for ``values``."""

    @staticmethod
    def forward(ctx, base, values, geom):
        ctx.geom, ctx.base_shape = geom, base.shape
        out = base._array.copy()
        strided(out, *geom)[...] = values._array
        return out

    @staticmethod
    def backward(ctx, grad):
        from .._creation import zeros

        grad = grad.contiguous()
        g_base = g_values = None
        if ctx.needs_input_grad[0]:
            shape = ctx.geom[0]
            g_base = CopySlices.apply(grad, zeros(shape, dtype=grad.dtype, device=grad.device),
                                      ctx.geom)
        if ctx.needs_input_grad[1]:
            g_values = view_of(grad, ctx.geom).contiguous()
        return g_base, g_values, None

    @staticmethod
    def jvp(ctx, t_base, t_values, _):
        from .._creation import zeros

        if t_base is None:  # then t_values is not None: only the view's elements move
            t_base = zeros(ctx.base_shape, dtype=t_values.dtype, device=t_values.device)
        if t_values is None:
            t_values = zeros(ctx.geom[0], dtype=t_base.dtype, device=t_base.device)
        return CopySlices.apply(t_base.contiguous(), t_values, ctx.geom)
