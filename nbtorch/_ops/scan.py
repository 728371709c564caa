"""Cumulative sums and products along a dimension (``cumsum``, ``cumprod``).

out_k = x_0 + ... + x_k, so x_i reaches every out_k with k >= i: the gradient of x_i is
g_i + g_(i+1) + ... + g_(n-1), a cumulative sum taken from the end (flip, cumsum, flip).
For the product, out_k / x_i is the derivative when x_i != 0.
"""

from __future__ import annotations

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, wrap_dim


def _reverse_cumsum(g, dim):
    """g_i + g_(i+1) + ... along ``dim``."""
    return g.flip(dim).cumsum(dim).flip(dim)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        a = x._array
        if dtype is None and a.dtype.kind in "biu":
            dtype = dt.int64.numpy  # as in PyTorch: integer cumsums are int64
        ctx.dim = dim
        return backend(x).cumsum(a, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return t.cumsum(ctx.dim)


class Cumprod(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        a = x._array
        if dtype is None and a.dtype.kind in "biu":
            dtype = dt.int64.numpy
        out = backend(x).cumprod(a, axis=dim, dtype=dtype)
        ctx.dim = dim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _cumprod_vjp(x, out, grad, ctx.dim), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        x, out = ctx.saved_tensors
        return _cumprod_jvp(x, out, t, ctx.dim)


def _others_matrix(x, dim):
    """P[..., i, k] = prod of x_j for j <= k, j != i, when k >= i (else 0): d out_k / d x_i,
    with ``dim`` moved last. Built only when x has zeros (it costs n^2 per row)."""
    from .._creation import eye
    from .pointwise import where

    xm = x.movedim(dim, -1)
    n = xm.shape[-1]
    diagonal = eye(n, dtype=x.dtype, device=x.device) == 1
    with_one = where(diagonal, 1.0, xm.unsqueeze(-2))  # row i: x with x_i replaced by 1
    upper = (eye(n, dtype=x.dtype, device=x.device).cumsum(-1)) == 1  # k >= i
    return where(upper, with_one.cumprod(-1), 0.0)


def _cumprod_vjp(x, out, grad, dim):
    if not (x == 0).any():
        return _reverse_cumsum(grad * out, dim) / x
    grad_last = grad.movedim(dim, -1).unsqueeze(-2)
    return (_others_matrix(x, dim) * grad_last).sum(-1).movedim(-1, dim)


def _cumprod_jvp(x, out, t, dim):
    if not (x == 0).any():
        return (t / x).cumsum(dim) * out
    t_last = t.movedim(dim, -1).unsqueeze(-1)
    return (_others_matrix(x, dim) * t_last).sum(-2).movedim(-1, dim)


def cumsum(input, dim: int, *, dtype=None):
    """Running sum along ``dim``: out[k] = x[0] + ... + x[k]."""
    d = wrap_dim(dim, input._array.ndim)
    if input._array.ndim == 0:
        return input.clone()
    return Cumsum.apply(input, d, None if dtype is None else dt.to_numpy_dtype(dtype))


def cumprod(input, dim: int, *, dtype=None):
    """Running product along ``dim``: out[k] = x[0] * ... * x[k]."""
    d = wrap_dim(dim, input._array.ndim)
    if input._array.ndim == 0:
        return input.clone()
    return Cumprod.apply(input, d, None if dtype is None else dt.to_numpy_dtype(dtype))


__all__ = ["cumsum", "cumprod"]

TENSOR_METHODS = {"cumsum": cumsum, "cumprod": cumprod}
INPLACE_METHODS = {"cumsum_": cumsum, "cumprod_": cumprod}
