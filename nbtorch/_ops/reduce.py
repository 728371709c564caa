"""Reductions: sum, mean and ``sum_to_size`` (the backward of broadcasting).

A reduction's backward spreads the incoming gradient back over the reduced dimensions:
first ``unsqueeze`` the dimensions that ``keepdim=False`` removed, then ``expand`` to the
input's shape (for ``mean``, divided by the number of elements averaged).
"""

from __future__ import annotations

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, normalize_dims


def _restore_dims(grad, dims, keepdim):
    """Put back the reduced dims (as size 1) so that ``grad`` broadcasts against the input."""
    if keepdim or not dims:
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


class Sum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        a = x._array
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if dtype is None and a.dtype.kind in "biu":
            dtype = dt.int64.numpy  # integer and bool sums are int64, as in PyTorch
        return backend(x).sum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad, ctx.dims, ctx.keepdim).expand(ctx.shape), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return t.sum(ctx.dims, keepdim=ctx.keepdim)


class Mean(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        a = x._array
        if dtype is None and a.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {dt._FROM_NUMPY[a.dtype].name.capitalize()}"
            )
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        count = 1
        for d in dims:
            count *= a.shape[d]
        ctx.count = count
        return backend(x).mean(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _restore_dims(grad, ctx.dims, ctx.keepdim).expand(ctx.shape)
        return g / ctx.count, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return t.mean(ctx.dims, keepdim=ctx.keepdim)


class SumToSize(Function):
    """Sum a broadcast gradient back down to ``shape`` (leading dims and dims of size 1)."""

    @staticmethod
    def forward(ctx, x, shape):
        a = x._array
        ctx.shape, ctx.out_shape = a.shape, shape
        lead = a.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1
        )
        out = backend(x).sum(a, axis=dims, keepdims=True) if dims else a
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return sum_to_size(t, ctx.out_shape)


def sum_to_size(x, shape):
    """``x`` summed down to ``shape`` (no work when it already has that shape)."""
    shape = tuple(shape)
    if x._array.shape == shape:
        return x
    return SumToSize.apply(x, shape)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
    dims = normalize_dims(dim, input._array.ndim)
    return Sum.apply(input, dims, keepdim, None if dtype is None else dt.to_numpy_dtype(dtype))


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Average of all elements, or over ``dim``; floating point inputs only."""
    dims = normalize_dims(dim, input._array.ndim)
    return Mean.apply(input, dims, keepdim, None if dtype is None else dt.to_numpy_dtype(dtype))


def _sum_to_size_method(self, *size):
    """``x.sum_to_size(2, 1)``: sum a broadcast tensor down to ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return sum_to_size(self, size)


__all__ = ["sum", "mean"]

TENSOR_METHODS = {"sum": sum, "mean": mean, "sum_to_size": _sum_to_size_method}
