"""``as_strided``: any shape and strides over a tensor's storage, as a view.

A tensor is a storage (one flat block of memory) read through an offset, a shape and
strides: element ``[i, j]`` lives at ``offset + i * stride[0] + j * stride[1]``.
``as_strided(x, size, stride, storage_offset)`` makes a new view of the same storage with
the numbers you give. Nothing is copied, and elements may be read more than once
(``stride`` 0, or overlapping windows), so it can express ``expand``, ``unfold`` and
sliding windows, and also read nonsense: only the storage bounds are checked.

As in PyTorch, the offset and strides count in the whole storage, also for a view: for
``v = x[1:]``, ``v.as_strided(...)`` reads ``x``'s storage from its start. The gradient
goes to ``v``'s own elements only (an element of ``x`` outside ``v`` gets none).

Gradient: every output element is the storage element at its position, so the gradient of
a storage element is the sum of the gradients of all the output elements that read it
(scatter-add by position), and the input's gradient reads the storage gradient at the
input's own positions (a gather). An input that overlaps itself (an expanded tensor) holds
a storage element k times; as in PyTorch, each of those k elements gets 1/k of that storage
element's gradient, so that their sum (which is what ``expand``'s backward takes) is the
storage element's gradient. These are index ops on constant positions and a division by
constant counts, so gradients of any order and the cuda device come for free.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend
from .shape import _memory_owner
from .shape import storage_offset as offset_of


def _positions(shape, strides, offset: int) -> np.ndarray:
    """The storage position of every element of a view (an int64 array of ``shape``)."""
    pos = np.full(tuple(shape), offset, dtype=np.int64)
    for d, (n, st) in enumerate(zip(shape, strides)):
        steps = np.arange(n, dtype=np.int64) * st
        pos += steps.reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _storage_size(a) -> int:
    """How many elements the storage behind backend array ``a`` holds."""
    if type(a) is np.ndarray:
        return _memory_owner(a).size
    return a.buf.size


def _view(a, size, stride, offset: int):
    """The backend view of ``a``'s storage with ``size``, ``stride`` and ``offset``."""
    if type(a) is not np.ndarray:  # a cuda DeviceArray: new numbers over the same buffer
        return type(a)(a.buf, offset, size, stride, a.device_index)
    owner = _memory_owner(a)
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        raise RuntimeError("as_strided: the tensor's memory is not one contiguous block "
                           "(it comes from a strided numpy array); use a copy")
    flat = np.lib.stride_tricks.as_strided(owner, (owner.size,), (owner.itemsize,))
    byte_strides = tuple(s * a.itemsize for s in stride)
    return np.lib.stride_tricks.as_strided(flat[offset:], size, byte_strides,
                                           writeable=a.flags.writeable)


class AsStrided(Function):
    """``as_strided(x, size, stride, offset)``: a view; see the module docstring."""

    _view_of_input = True

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        a = x._array
        B = backend(x)
        steps = tuple(s // a.itemsize for s in a.strides)
        pos_in = _positions(a.shape, steps, offset_of(x))
        pos_out = _positions(size, stride, offset)
        low = min(pos_in.min(initial=0), pos_out.min(initial=0))
        length = max(pos_in.max(initial=0), pos_out.max(initial=0)) - low + 1
        device = getattr(a, "device", None)
        ctx.pos_in = B.from_numpy(pos_in - low, device)
        ctx.pos_out = B.from_numpy(pos_out - low, device)
        ctx.length = int(length)
        copies = np.bincount((pos_in - low).ravel(), minlength=ctx.length)
        ctx.copies = None  # how many input elements hold each storage element, if ever > 1
        if copies.max(initial=0) > 1:
            ctx.copies = Tensor._make(B.from_numpy(np.maximum(copies, 1).astype(a.dtype),
                                                   device))
        return _view(a, size, stride, offset)

    @staticmethod
    def backward(ctx, grad):
        from .index import IndexBackward, index

        storage = IndexBackward.apply(grad, (ctx.pos_out,), (ctx.length,))
        if ctx.copies is not None:  # share a storage element's gradient among its copies
            storage = storage / ctx.copies
        return index(storage, (ctx.pos_in,)), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        from .index import IndexBackward, index

        storage = IndexBackward.apply(t, (ctx.pos_in,), (ctx.length,))
        if ctx.copies is not None:  # the copies' tangents were added up: their mean
            storage = storage / ctx.copies
        return index(storage, (ctx.pos_out,))


def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with the given ``size``, ``stride`` (in elements) and
    ``storage_offset`` (by default the tensor's own).

    ``arange(6.).as_strided((2, 2), (1, 2))`` is ``[[0, 2], [1, 3]]``, and
    ``x.as_strided((n - k + 1, k), (1, 1))`` the sliding windows of length k of a vector.
    Strides must not be negative, and the view must stay inside the storage.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    offset = offset_of(input) if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    available = _storage_size(input._array)
    if offset + extent > available:
        item = input._array.itemsize
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {(offset + extent) * item} are "
            f"out of bounds for storage of size {available * item}")
    return AsStrided.apply(input, size, stride, offset)


__all__ = ["as_strided"]

TENSOR_METHODS = {"as_strided": as_strided}
