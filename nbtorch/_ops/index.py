"""Indexing: ``x[key]`` and ``x[key] = value``.

Basic indexing (ints, slices, ``None``, ``...``) returns a view. Advanced indexing (integer
or boolean tensors, numpy arrays and lists) copies. The backward of ``x[key]`` puts the
gradient back where the elements came from, *adding* where an index repeats (``x[[0, 0]]``
uses x[0] twice, so x[0] gets both gradients).

Ints next to index tensors follow PyTorch, not numpy: PyTorch first applies the ints (each
one removes its dim, a view), then the index tensors to what is left. So for x of shape
(4, 5, 6), ``x[1, :, [0, 2]]`` has shape (5, 2) (numpy, which treats the 1 as one more
index array, gives (2, 5)).
"""

from __future__ import annotations

import re

import numpy as np

from ..autograd.function import Function
from ._util import backend, unlock_view


def _convert_key(key):
    """Turn tensors inside an index into backend arrays; return (key, is_basic)."""
    from .._tensor import Tensor

    items = key if isinstance(key, tuple) else (key,)
    out, basic = [], True
    for k in items:
        if isinstance(k, Tensor):
            if k._array.dtype.kind not in "iub":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            k = k._array
            basic = False
        elif isinstance(k, (list, tuple, np.ndarray)):
            basic = False
        elif not (k is None or k is Ellipsis or isinstance(k, (int, slice))):
            if hasattr(k, "__index__"):
                k = k.__index__()
            else:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(k).__name__})"
                )
        out.append(k)
    for k in out:
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero")
    return (tuple(out) if isinstance(key, tuple) else out[0]), basic


def _check_bounds(shape, key):
    """Raise PyTorch's IndexError for an out-of-range integer index."""
    items = key if isinstance(key, tuple) else (key,)
    dim = 0
    for k in items:
        if k is None:
            continue
        if k is Ellipsis:
            dim = len(shape) - sum(1 for j in items if j is not None and j is not Ellipsis)
            continue
        if isinstance(k, int):
            if dim >= len(shape):
                raise IndexError(
                    f"too many indices for tensor of dimension {len(shape)}"
                )
            if not -shape[dim] <= k < shape[dim]:
                raise IndexError(
                    f"index {k} is out of bounds for dimension {dim} with size {shape[dim]}"
                )
        dim += 1
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")


class BasicIndex(Function):
    """``x[ints, slices, None, ...]``: a view."""

    _view_of_input = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._array.shape, key
        out = x._array[key]
        if type(out) is np.ndarray and not out.flags.writeable:
            unlock_view(out)  # a view of an expanded tensor: writable if it does not overlap
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexBackward.apply(grad, ctx.key, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return BasicIndex.apply(t, ctx.key)


class AdvancedIndex(Function):
    """``x[tensor or list or mask]``: a copy."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._array.shape, key
        try:
            return x._array[key]
        except IndexError as e:
            raise _index_error(e, x._array.shape, key) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexBackward.apply(grad, ctx.key, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return AdvancedIndex.apply(t, ctx.key)


class IndexBackward(Function):
    """Scatter-add ``grad`` into zeros of ``shape`` at ``key`` (the backward of indexing)."""

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key, ctx.shape = key, shape
        B = backend(grad)
        out = B.zeros(shape, dtype=grad._array.dtype)
        B.index_add_at(out, key, grad._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return index(gg, ctx.key), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return IndexBackward.apply(t, ctx.key, ctx.shape)


def index(input, key):
    """``input[key]`` with a key already converted (used by backward formulas)."""
    return (BasicIndex if _is_basic(key) else AdvancedIndex).apply(input, key)


def _ints_first(key):
    """Split an advanced ``key`` the way PyTorch applies it: ``(ints, rest)``.

    ``ints`` is a basic key that applies the key's ints (and its slices, ``None`` and
    ``...``), keeping every dim an index array will need; ``rest`` indexes the result of
    ``ints``: the index arrays at their places, a full slice for each dim still there. Ints
    are Python ints and 0-d integer tensors. ``ints`` is None when the key has none (the
    common case: numpy's rules already are PyTorch's).
    """
    items = key if isinstance(key, tuple) else (key,)

    def is_int(k):
        return isinstance(k, int) or (getattr(k, "ndim", None) == 0 and k.dtype.kind in "iu")

    if not any(is_int(k) for k in items):
        return None, key
    ints, rest = [], []
    for k in items:
        if is_int(k):
            ints.append(int(k))  # its dim goes away
        elif k is None or isinstance(k, slice):
            ints.append(k)
            rest.append(slice(None))
        elif k is Ellipsis:
            ints.append(k)
            rest.append(k)
        else:  # an index array: a mask covers as many dims as it has, integers one
            mask = np.asarray(k).dtype == np.bool_ if isinstance(k, list) else k.dtype == np.bool_
            ints += [slice(None)] * (np.ndim(k) if mask else 1)
            rest.append(k)
    return tuple(ints), tuple(rest)


def getitem(input, key):
    """``input[key]``: a view for basic indexing, a copy for advanced indexing."""
    key, basic = _convert_key(key)
    if basic:
        _check_bounds(input._array.shape, key)
        return BasicIndex.apply(input, key)
    ints, key = _ints_first(key)
    if ints is not None:
        _check_bounds(input._array.shape, ints)
        input = BasicIndex.apply(input, ints)
    return AdvancedIndex.apply(input, key)


class IndexPut(Function):
    """``out = x.clone(); out[key] = value``: the out-of-place form of index assignment."""

    @staticmethod
    def forward(ctx, x, key, value):
        out = x._array.copy()
        _write(out, key, value._array if hasattr(value, "_array") else value)
        ctx.key, ctx.shape, ctx.dtype = key, x._array.shape, x.dtype
        ctx.value_shape = getattr(value, "shape", None)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum_to_size

        need_x, _, need_v = ctx.needs_input_grad
        gx = gv = None
        if need_x:
            gx = IndexPut.apply(grad, ctx.key, 0.0)
        if need_v:
            picked = index(grad, ctx.key)
            gv = sum_to_size(picked, ctx.value_shape)
        return gx, None, gv

    @staticmethod
    def jvp(ctx, tx, _, tv):
        from .._creation import zeros

        if tx is None:
            tx = zeros(ctx.shape, dtype=ctx.dtype)
        return IndexPut.apply(tx, ctx.key, 0.0 if tv is None else tv)


def _write(array, key, value) -> None:
    """``array[key] = value``, with PyTorch's errors when ``value`` does not broadcast.

    As in PyTorch, leading dims of size 1 of ``value`` are dropped first: ``x[0, 0] =
    tensor([5.])`` writes one element.
    """
    try:
        array[key] = value
        return
    except IndexError as e:
        raise _index_error(e, array.shape, key) from None
    except ValueError as e:
        if not getattr(array.flags, "writeable", True):  # numpy's read-only: an expanded tensor
            _write_expanded(array, key, value)
            return
        error = e
    value = value if hasattr(value, "shape") else np.asarray(value)
    have = list(value.shape)
    while have and have[0] == 1:
        have.pop(0)
    target = list(array[key].shape)
    if len(have) < value.ndim and len(have) <= len(target):
        try:
            array[key] = value.reshape(have)
            return
        except ValueError:
            pass
    if not _is_basic(key):
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {have} cannot be broadcast to indexing "
            f"result of shape {target}"
        )
    # PyTorch copies into the view x[key]: expand's messages
    if len(have) > len(target):
        raise RuntimeError(
            f"expand({_tensor_type(value)}{{{have}}}, size={target}): the number of sizes "
            f"provided ({len(target)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(have)})"
        )
    lead = len(target) - len(have)
    dim = next((i for i in range(len(have)) if have[i] not in (1, target[i + lead])), None)
    if dim is None:  # the shapes fit: the values themselves are wrong (a string, say)
        raise error
    raise RuntimeError(
        f"The expanded size of the tensor ({target[dim + lead]}) must match the existing size "
        f"({have[dim]}) at non-singleton dimension {dim + lead}.  Target sizes: {target}.  "
        f"Tensor sizes: {have}"
    )


def _index_error(error: IndexError, shape, key) -> IndexError:
    """numpy's IndexError in PyTorch's words: dimensions, not axes, and a boolean mask that
    does not fit is named with its shape."""
    wrong_mask = re.search(r"along axis (\d+); size of axis is \d+", str(error))
    items = key if isinstance(key, tuple) else (key,)
    mask = next((k for k in items if getattr(k, "dtype", None) == np.bool_
                 or isinstance(k, (list, tuple)) and np.asarray(k).dtype == np.bool_), None)
    if wrong_mask is None or mask is None:
        return IndexError(str(error).replace(" axis ", " dimension "))
    return IndexError(
        f"The shape of the mask {list(np.shape(mask))} does not match the shape of the indexed "
        f"tensor {list(shape)} at index {wrong_mask.group(1)}"
    )


def _tensor_type(array) -> str:
    """PyTorch's legacy type name of an array, as in its messages: ``torch.FloatTensor``."""
    from .pointwise import type_name

    return f"torch.{type_name(array)}Tensor"


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _write_expanded(array, key, value) -> None:
    """``array[key] = value`` where ``array`` is an expanded tensor's (read-only) array.

    PyTorch writes into ``x.expand(2, 3)[0]`` (distinct elements: the writes reach the
    expanded tensor's memory) but refuses ``x.expand(2, 3)[:, 0]``, whose two elements are
    one memory location.
    """
    if _is_basic(key):
        items = key if isinstance(key, tuple) else (key,)
        view = array[items if Ellipsis in items else items + (Ellipsis,)]  # a view, never a scalar
        unlock_view(view)
        if view.flags.writeable:
            _write(view, Ellipsis, value)
            return
    raise RuntimeError(_OVERLAP)


def _is_basic(key) -> bool:
    return not any(hasattr(k, "shape") or isinstance(k, (list, tuple))
                   for k in (key if isinstance(key, tuple) else (key,)))


def setitem(input, key, value) -> None:
    """``input[key] = value``: writes in place (and records the change for autograd)."""
    from .._tensor import Tensor
    from .inplace import assign_result

    key, basic = _convert_key(key)
    ints = None
    if basic:
        _check_bounds(input._array.shape, key)
    else:
        ints, key = _ints_first(key)
        if ints is not None:
            _check_bounds(input._array.shape, ints)
    if isinstance(value, Tensor) and value._array.dtype != input._array.dtype:
        value = value.to(input.dtype)
    input._check_inplace()
    if not _records(input, value):
        target = input._array if ints is None else input._array[ints]
        _write(target, key, value._array if isinstance(value, Tensor) else value)
        input._bump_version()
        return
    if ints is None:
        assign_result(input, IndexPut.apply(input, key, value))
    else:  # write into the part the ints pick, then put that part back
        part = IndexPut.apply(BasicIndex.apply(input, ints), key, value)
        assign_result(input, IndexPut.apply(input, ints, part))


def _records(input, value) -> bool:
    from .._tensor import Tensor
    from ..autograd.grad_mode import _State
    from .inplace import _has_tangents

    return _has_tangents(input, (value,)) or _State.grad_enabled and (
        input._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    )


__all__: list = []

TENSOR_METHODS = {"__getitem__": getitem, "__setitem__": setitem}
