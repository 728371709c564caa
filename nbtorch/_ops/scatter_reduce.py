"""Reducing many values into one place: ``scatter_reduce`` and ``index_reduce``.

``scatter_add`` adds every ``src[p]`` into ``out`` at the position ``p`` with ``p[dim]``
replaced by ``index[p]``. ``scatter_reduce`` does the same with another reduction: the
product (``'prod'``), the average (``'mean'``), the largest (``'amax'``) or smallest
(``'amin'``) value, or the sum again (``'sum'``). With ``include_self=False`` the value
already in ``input`` at a position that receives values takes no part (positions that
receive nothing keep it).

Each output element is a reduction of a few inputs, so its gradient is the local derivative
of that reduction, taken per element (PyTorch's rules):

* sum: 1 for every contributor; mean: 1/n, n the number of contributors;
* prod: the product of the *other* contributors (computed without dividing by zero). As in
  PyTorch, ``src``'s gradient cannot be differentiated again where two or more zeros of
  ``src`` meet at one position (that would take the product of all but two contributors):
  a second backward through it raises instead of giving a wrong number;
* amax/amin: 1/k for each of the k contributors equal to the result (ties share). As in
  PyTorch, ``input``'s value counts among the k when it equals the result, even with
  ``include_self=False`` (it then gets no gradient itself).

These local derivatives ("partials") are computed with Tensor ops, so the backward
``gather(grad) * partial`` and the forward-mode ``sum of partial * tangent`` can be
differentiated again. ``index_reduce`` is ``scatter_reduce`` whose index picks whole slices.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ._util import backend, wrap_dim
from .pointwise import type_name
from .scatter import _check_index, _check_scatter, _crop, _pad, _scatter_key, gather, scatter_add

_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype):
    """The value that leaves a reduction unchanged: 0 for sums, 1 for products, the lowest
    value for a maximum, the highest for a minimum."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _reduce_at(B, out, key, values, reduce: str) -> None:
    """``out[key] <reduce>= values``, once for every time a position repeats (numpy's
    ``ufunc.at``). Sums use the backend's scatter-add; products, maxima and minima on a cuda
    array are computed on the host (the cuda backend has no kernel for them)."""
    if reduce in ("sum", "mean"):
        B.index_add_at(out, key, values)
        return
    ufunc = _UFUNCS[reduce]
    if type(out) is np.ndarray:
        ufunc.at(out, key, values)
        return
    host = B.to_numpy(out)
    ufunc.at(host, tuple(B.to_numpy(k) for k in key), B.to_numpy(values))
    out[...] = B.from_numpy(host, out.device)


class ScatterReduce(Function):
    """``scatter_reduce(x, dim, index, src, reduce, include_self)`` (checked arguments)."""

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        B = backend(x)
        a, idx = x._array, index._array
        key = _scatter_key(idx, dim)
        values = _crop(src._array, idx.shape)
        out = a.copy()
        if not include_self:
            out[key] = _identity(reduce, a.dtype)
        _reduce_at(B, out, key, values, reduce)
        if reduce == "mean":
            counts = (B.ones if include_self else B.zeros)(a.shape, dtype=a.dtype)
            B.index_add_at(counts, key, B.ones(idx.shape, dtype=a.dtype))
            counts = B.maximum(counts, 1)
            out = out / counts if a.dtype.kind == "f" else B.floor_divide(out, counts)
        ctx.args = (dim, index, reduce, include_self)
        ctx.src_shape = src._array.shape
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, src, out = ctx.saved_tensors
        dim, index, reduce, _ = ctx.args
        p_self, p_src = _partials(x, src, out, *ctx.args)
        g_self = grad * p_self if ctx.needs_input_grad[0] else None
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = _pad(gather(grad, dim, index) * p_src, ctx.src_shape)
            # recording for a second backward: refuse it where two zeros meet (PyTorch's rule)
            if reduce == "prod" and is_grad_enabled() and bool(
                    (_zeros_sent(x, src, dim, index) > 1).any()):
                g_src = NoDoubleBackward.apply(g_src, _TWO_ZEROS)
        return g_self, None, None, g_src, None, None

    @staticmethod
    def jvp(ctx, t_self, _, __, t_src, ___, ____):
        dim, index, _, _ = ctx.args
        x, src, out = ctx.saved_tensors
        p_self, p_src = _partials(x, src, out, *ctx.args)
        t = x.new_zeros(x.shape) if t_self is None else t_self * p_self
        if t_src is None:
            return t
        return scatter_add(t, dim, index, _crop_tensor(t_src, index.shape) * p_src)


_TWO_ZEROS = ("scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
              "are scattered to the same position in self")


class NoDoubleBackward(Function):
    """The identity, for a gradient that has no gradient of its own here: differentiating
    it again (backward or forward mode) raises ``RuntimeError(message)``."""

    @staticmethod
    def forward(ctx, x, message):
        ctx.message = message
        return x._array.copy()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(ctx.message)

    @staticmethod
    def jvp(ctx, t, _):
        raise RuntimeError(ctx.message)


def _zeros_sent(x, src, dim, index):
    """How many zeros of ``src`` go to each position of ``x`` (shaped like ``x``)."""
    src_zero = _crop_tensor(src, index.shape) == 0
    return scatter_add(x.new_zeros(x.shape), dim, index, src_zero.to(x.dtype))


def _crop_tensor(t, shape):
    """The leading ``shape`` corner of tensor ``t`` (differentiable)."""
    if tuple(t.shape) == tuple(shape):
        return t
    return t[tuple(slice(0, s) for s in shape)]


def _partials(x, src, out, dim, index, reduce, include_self):
    """d out / d x (shaped like ``x``) and d out[index] / d src (shaped like ``index``), as
    PyTorch defines them; see the module docstring."""
    src = _crop_tensor(src, index.shape)
    if reduce == "sum":
        p_self, p_src = x.new_ones(x.shape), src.new_ones(src.shape)
    elif reduce == "mean":
        count = (x.new_ones if include_self else x.new_zeros)(x.shape)
        count = scatter_add(count, dim, index, src.new_ones(src.shape))
        p_self = 1 / count.masked_fill(count == 0, 1)
        p_src = gather(p_self, dim, index)
    elif reduce in ("amax", "amin"):
        self_hit = (x == out).to(x.dtype)
        src_hit = (src == gather(out, dim, index)).to(x.dtype)
        share = 1 / scatter_add(self_hit, dim, index, src_hit)  # 1/k, k tied contributors
        p_self, p_src = self_hit * share, src_hit * gather(share, dim, index)
    else:
        p_self, p_src = _prod_partials(x, src, out, dim, index, include_self)
    if not include_self:
        p_self = p_self.scatter(dim, index, 0.0)
    return p_self, p_src


def _prod_partials(x, src, out, dim, index, include_self):
    """The product of the *other* contributors, for ``x`` and for ``src``. Where a value is
    0, out / value cannot be used: the product is recomputed with that value replaced by 1
    (for ``src``, only where it is the single zero sent to its position; two zeros make
    every other product 0, and out / 1 = 0 is then right)."""
    x_zero = x == 0
    x_one = x.masked_fill(x_zero, 1)
    p_self = scatter_reduce(x_one, dim, index, src, "prod", include_self=include_self) / x_one
    src_zero = src == 0
    single_zero = src_zero & (gather(_zeros_sent(x, src, dim, index), dim, index) == 1)
    without = scatter_reduce(x, dim, index, src.masked_fill(single_zero, 1), "prod",
                             include_self=include_self)
    divided = gather(out, dim, index) / src.masked_fill(src_zero, 1)
    p_src = gather(without, dim, index).where(single_zero, divided)
    return p_self, p_src


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim``: for a matrix and
    dim=1, every ``src[i][j]`` goes into ``out[i][index[i][j]]`` with ``reduce`` one of
    ``'sum'``, ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``.

    ``include_self`` says whether the values already in ``input`` take part. Example, the
    largest score per group: ``zeros(3).scatter_reduce(0, group, score, 'amax',
    include_self=False)``. For integers, ``'mean'`` rounds down (floor division), as in
    PyTorch. Differentiable for floats (ties share the gradient of ``'amax'``/``'amin'``).
    """
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    n = input._array.ndim
    d = wrap_dim(dim, n)
    _check_index(index, "scatter", n)
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not "
                        f"{type(src).__name__}")
    if src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if n == 0:
        return ScatterReduce.apply(input.reshape(1), 0, index.reshape(1), src.reshape(1),
                                   reduce, include_self).reshape(())
    _check_scatter(input, d, index, src)
    return ScatterReduce.apply(input, d, index, src, reduce, bool(include_self))


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """Reduce the slices of ``source`` along ``dim`` into a copy of ``input``: slice i goes
    into slice ``index[i]``, with ``reduce`` one of ``'prod'``, ``'mean'``, ``'amax'``,
    ``'amin'`` (the reductions ``index_add`` does not do).

    It is ``scatter_reduce`` with ``index`` spread over whole slices:
    ``x.index_reduce(0, idx, s, 'amax')`` is ``x.scatter_reduce(0, I, s, 'amax')`` where
    ``I[i, j] = idx[i]``.
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if not isinstance(index, Tensor) or index._array.dtype not in (dt.int32.numpy,
                                                                    dt.int64.numpy):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index")
    if index._array.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{index._array.ndim} with type: {index.dtype.name.capitalize()} and "
                         f"size: {list(index._array.shape)}")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({type_name(input._array)}) and source "
            f"({type_name(source._array)}) must have the same scalar type")
    n = input._array.ndim
    d = wrap_dim(dim, n)
    if n == 0:
        input, source = input.reshape(1), source.reshape(1)
    k = index._array.size
    src_size = source._array.shape[d] if source._array.ndim else 1
    if k != src_size:
        raise RuntimeError(f"index_reduce_(): Number of indices ({k}) should be equal to "
                           f"source.size(dim): ({src_size}), for dim: {d}")
    shape, src_shape = list(input._array.shape), list(source._array.shape)
    if len(shape) != len(src_shape) or any(a != b for i, (a, b) in
                                           enumerate(zip(shape, src_shape)) if i != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(shape)} "
                           f"source.shape = {list(src_shape)}")
    idx = index._array.reshape(-1)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= shape[d]):
        raise IndexError("index out of range in self")
    spread = [1] * len(shape)
    spread[d] = k
    full_index = index.reshape(spread).expand(src_shape)
    out = ScatterReduce.apply(input, d, full_index, source, reduce, bool(include_self))
    return out.reshape(()) if n == 0 else out


__all__ = ["scatter_reduce", "index_reduce"]

TENSOR_METHODS = {"scatter_reduce": scatter_reduce, "index_reduce": index_reduce}

INPLACE_METHODS = {"scatter_reduce_": scatter_reduce, "index_reduce_": index_reduce}
