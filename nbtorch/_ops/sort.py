"""Sorting: ``sort``, ``argsort``, ``topk``.

Sorting moves elements: the output is ``take_along_dim(x, indices, dim)``. So the gradient
of each output element goes back to the position it came from (a scatter with the same
indices), and a tangent is moved the same way as the values (a gather).
"""

from __future__ import annotations

from collections import namedtuple

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, wrap_dim


def _return_type(name):
    cls = namedtuple(name, ["values", "indices"])
    cls.__module__ = "nbtorch.return_types"
    return cls


sort_result, topk_result = _return_type("sort"), _return_type("topk")


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


__all__ = ["sort", "argsort", "topk", "msort"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
