"""Sorting: ``sort``, ``argsort``, ``topk``.

Sorting moves elements: the output is ``take_along_dim(x, indices, dim)``. So the gradient
of each output element goes back to the position it came from (a scatter with the same
indices), and a tangent is moved the same way as the values (a gather).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, wrap_dim
from .reduce import MaxAll, return_type

sort_result, topk_result = return_type("sort"), return_type("topk")


def _constant(array):
    from .._tensor import Tensor

    return Tensor._make(array)


def sort_indices(B, a, dim: int, descending: bool):
    """Stable sorting indices along ``dim``; NaN counts as the largest value (as in PyTorch).
    Descending order sorts the reversed array and reverses back, so that equal elements
    keep their original order."""
    if not descending:
        return B.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    rev = B.argsort(B.flip(a, axis=dim), axis=dim, kind="stable")
    return B.flip(n - 1 - rev, axis=dim)


class TakeSorted(Function):
    """Values at ``indices`` along ``dim`` (the indices come from sorting)."""

    @staticmethod
    def forward(ctx, x, dim, indices):
        B = backend(x)
        a = x._array
        ctx.dim, ctx.shape, ctx.index = dim, a.shape, indices
        idx = indices.astype(dt.int64.numpy)
        ctx.mark_non_differentiable(idx)
        return B.take_along_axis(a, indices, axis=dim), idx

    @staticmethod
    def backward(ctx, grad, _):
        from .._creation import zeros
        from .scatter import scatter_add

        base = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return scatter_add(base, ctx.dim, _constant(ctx.index), grad), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        from .scatter import gather

        return gather(t, ctx.dim, _constant(ctx.index)), None


def _sorted(input, dim, descending, k=None):
    a = input._array
    if a.ndim == 0:
        return input.clone(), _constant(backend(input).zeros((), dtype=dt.int64.numpy))
    d = wrap_dim(dim, a.ndim)
    idx = sort_indices(backend(input), a, d, descending)
    if k is not None:
        idx = idx[(slice(None),) * d + (slice(0, k),)]
    return TakeSorted.apply(input, d, idx)


def sort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """Sorted values along ``dim`` and the indices they came from: a named tuple
    ``(values, indices)``. Equal elements keep their order (the sort is always stable)."""
    return sort_result(*_sorted(input, dim, descending))


def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """The indices that sort ``input`` along ``dim``."""
    a = input._array
    if a.ndim == 0:
        return _constant(backend(input).zeros((), dtype=dt.int64.numpy))
    d = wrap_dim(dim, a.ndim)
    return _constant(sort_indices(backend(input), a, d, descending).astype(dt.int64.numpy))


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, as a named
    tuple ``(values, indices)``, largest first."""
    size = input._array.shape[wrap_dim(dim, input._array.ndim)] if input._array.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    return topk_result(*_sorted(input, dim, largest, k))


def msort(input):
    """Sorted along the first dimension (values only)."""
    return sort(input, 0).values


median_result, kthvalue_result = return_type("median"), return_type("kthvalue")


def _kth_smallest(input, k: int, dim: int, keepdim: bool):
    """The ``k``-th smallest element (0-based) along ``dim`` and its index: one column of
    the sorted tensor, so its gradient flows back to the element it came from."""
    a = input._array
    if a.ndim == 0:
        return _sorted(input, 0, False)
    d = wrap_dim(dim, a.ndim)
    idx = sort_indices(backend(input), a, d, False)[(slice(None),) * d + (slice(k, k + 1),)]
    values, indices = TakeSorted.apply(input, d, idx)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return values, indices


class MedianAll(MaxAll):
    """``median(x)`` of all elements. Like ``max(x)``, its gradient is shared equally by all
    the elements equal to the result, and goes to the NaNs when the result is NaN (PyTorch's
    rule)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        B = backend(x)
        flat = x._array.reshape(-1)
        ctx.dims, ctx.keepdim = dims, keepdim
        if flat.size == 0:  # the median of nothing is NaN
            if flat.dtype.kind != "f":
                raise RuntimeError("median(): an empty integer tensor has no median (integers "
                                   "have no NaN)")
            out = B.full((), np.nan, dtype=flat.dtype)
        else:
            ordered = B.take_along_axis(flat, sort_indices(B, flat, 0, False), axis=0)
            k = (flat.size - 1) // 2
            last = ordered[-1:]  # NaN sorts last: it is NaN when any element is
            out = B.where(B.isnan(last), last, ordered[k:k + 1]).reshape(())
        ctx.save_for_backward(x, out)
        return out


def median(input, dim: int | None = None, keepdim: bool = False, *, axis=None):
    """The median: the middle element of the sorted values (the lower of the two middle ones
    for an even count, not their mean); NaN if there is a NaN. With ``dim``, a named tuple
    ``(values, indices)``; where a slice holds NaNs, its first NaN and that NaN's index."""
    dim = dim if axis is None else axis
    a = input._array
    if dim is None:
        return MedianAll.apply(input, tuple(range(a.ndim)), False)
    if a.ndim == 0:
        return median_result(*_sorted(input, 0, False))
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    B = backend(input)
    nans = B.sum(B.isnan(a), axis=d, keepdims=True)
    # the sorted position to take: the lower middle, or the first NaN (NaNs sort last)
    k = B.where(nans > 0, n - nans, (n - 1) // 2)
    idx = B.take_along_axis(sort_indices(B, a, d, False), k, axis=d)
    values, indices = TakeSorted.apply(input, d, idx)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return median_result(values, indices)


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1) and its index."""
    a = input._array
    n = a.shape[wrap_dim(dim, a.ndim)] if a.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    return kthvalue_result(*_kth_smallest(input, k - 1, dim, keepdim))


def unique(input, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct elements (or distinct slices along ``dim``), in ascending order.

    ``return_inverse`` also gives, for each input element, the index of its value in the
    result; ``return_counts`` how often each value occurs. Not differentiable.
    """
    from .._tensor import Tensor

    B = backend(input)
    a = B.to_numpy(input._array)
    axis = None if dim is None else wrap_dim(dim, a.ndim)
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=axis)
    if axis is None:
        inverse = inverse.reshape(a.shape)

    def wrap(array):
        return Tensor._make(B.from_numpy(np.ascontiguousarray(array), input.device))

    out = [wrap(values)]
    if return_inverse:
        out.append(wrap(inverse.astype(np.int64)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


__all__ = ["sort", "argsort", "topk", "msort", "median", "kthvalue", "unique"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
