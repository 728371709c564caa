"""Reductions: sum, mean, prod, max/min, var/std, norm, logsumexp, all/any, and
``sum_to_size`` (the backward of broadcasting).

A reduction's backward spreads the incoming gradient back over the reduced dimensions:
first ``unsqueeze`` the dimensions that ``keepdim=False`` removed, then ``expand`` to the
input's shape, then multiply by the local derivative of each element:

* sum: 1, mean: 1/n, prod: the product of the *other* elements;
* max/min over all elements (``amax``): 1/k for each of the k elements equal to the maximum;
  ``max(dim)`` returns indices, and the gradient goes to the element at the returned index;
* var: 2 (x - mean) / (n - correction); std: (x - mean) / ((n - correction) std);
  norm: x / ||x|| for p = 2.

As in PyTorch, the reductions here also take numpy's name ``axis`` for ``dim``.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype as dt
from ..autograd.function import Function
from ._util import backend, normalize_dims, unary_float, wrap_dim


def _restore_dims(grad, dims, keepdim):
    """Put back the reduced dims (as size 1) so that ``grad`` broadcasts against the input."""
    if keepdim or not dims:
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


def _count(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _dtype_name(array) -> str:
    from .pointwise import type_name

    return type_name(array)


class _Reduction(Function):
    """Base of the reductions below: ``forward`` records the input shape, the reduced dims
    and keepdim; ``partials(ctx)`` gives d out / d x (broadcastable to the input), and the
    chain rule does the rest."""

    @classmethod
    def backward(cls, ctx, grad):
        g = _restore_dims(grad, ctx.dims, ctx.keepdim)
        return (g * cls.partials(ctx),) + (None,) * (len(ctx.needs_input_grad) - 1)

    @classmethod
    def jvp(cls, ctx, t, *_):
        return (t * cls.partials(ctx)).sum(ctx.dims, keepdim=ctx.keepdim)


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
        ctx.count = _count(a.shape, dims)
        if ctx.count == 0:  # a mean over no element is 0 / 0: nan, quietly, as in PyTorch
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "Mean of empty slice"
                return backend(x).mean(a, axis=dims, keepdims=keepdim, dtype=dtype)
        return backend(x).mean(a, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _restore_dims(grad, ctx.dims, ctx.keepdim).expand(ctx.shape)
        return g / ctx.count, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return t.mean(ctx.dims, keepdim=ctx.keepdim)


class Prod(_Reduction):
    """Product; d out / d x_i is the product of the *other* elements. Without zeros that is
    out / x_i. Where x_i == 0 it is (product of the non-zero elements) * (product of the
    other zeros): 1 if x_i is the only zero, the other zero (0, but its derivative counts for
    second derivatives) if there are two, 0 if there are more."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        a = x._array
        if dtype is None and a.dtype.kind in "biu":
            dtype = dt.int64.numpy
        out = backend(x).prod(a, axis=dims, keepdims=keepdim, dtype=dtype)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def partials(ctx):
        x, out = ctx.saved_tensors
        dims = ctx.dims
        out = _restore_dims(out, dims, ctx.keepdim)
        zero = x == 0
        if not zero.any():
            return out / x
        from .pointwise import where

        zeros = zero.sum(dims, keepdim=True)
        safe_x = where(zero, 1.0, x)
        nonzero_product = prod_dims(safe_x, dims, keepdim=True)
        other_zeros = where(zeros == 1, 1.0,
                            where(zeros == 2, where(zero, x, 0.0).sum(dims, keepdim=True) - x,
                                  0.0))
        return where(zero, nonzero_product * other_zeros, out / safe_x)


class Amax(_Reduction):
    """Largest (``fn='max'``) or smallest (``fn='min'``) element; the gradient is shared
    equally by all elements equal to it."""

    fn = "max"

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        a = x._array
        out = getattr(backend(x), cls.fn)(a, axis=dims, keepdims=keepdim)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @classmethod
    def partials(cls, ctx):
        x, out = ctx.saved_tensors
        target = _restore_dims(out.detach(), ctx.dims, ctx.keepdim)
        hit = x.isnan() if cls.nan_wins and target.isnan().any() else x == target
        hit = hit.to(x.dtype)
        return hit / hit.sum(ctx.dims, keepdim=True)

    nan_wins = False


class Amin(Amax):
    fn = "min"


class MaxAll(Amax):
    """``max(x)`` of all elements: like ``amax``, but when the result is NaN the gradient
    goes to the NaN elements (PyTorch's rule)."""

    nan_wins = True


class MinAll(Amin):
    nan_wins = True


def return_type(name, fields=("values", "indices")):
    """A named tuple like ``torch.return_types.max``: ``out.values``, ``out.indices``, or
    ``values, indices = out``; it prints one field per line, as PyTorch's does."""

    def __repr__(self):
        items = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"nbtorch.return_types.{name}(\n{items})"

    cls = type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "nbtorch.return_types"
    return cls


max_result, min_result = return_type("max"), return_type("min")


class MaxDim(Function):
    """``max(x, dim)`` / ``min(x, dim)``: values and their indices. The gradient goes to the
    element at the returned index (only one, even when several are equal)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, fn):
        B = backend(x)
        a = x._array
        if a.ndim and a.shape[dim] == 0:
            raise IndexError(f"{fn}(): Expected reduction dim {dim} to have non-zero size.")
        idx = B.expand_dims(getattr(B, "arg" + fn)(a, axis=dim), dim) if a.ndim else \
            B.zeros((), dtype=dt.int64.numpy)
        values = B.take_along_axis(a, idx, axis=dim) if a.ndim else a.copy()
        idx = idx.astype(dt.int64.numpy, copy=False)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.index = dim, keepdim, a.shape, idx
        if not keepdim and a.ndim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        ctx.mark_non_differentiable(idx)
        return values, idx

    @staticmethod
    def backward(ctx, grad, _):
        from .._creation import zeros
        from .scatter import scatter_add

        if not ctx.shape:
            return grad, None, None, None
        g = grad if ctx.keepdim else grad.unsqueeze(ctx.dim)
        index = _constant(ctx.index)
        base = zeros(ctx.shape, dtype=grad.dtype, device=grad.device)
        return scatter_add(base, ctx.dim, index, g), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        from .scatter import gather

        if not ctx.shape:
            return t, None
        out = gather(t, ctx.dim, _constant(ctx.index))
        return (out if ctx.keepdim else out.squeeze(ctx.dim)), None


def _constant(array):
    from .._tensor import Tensor

    return Tensor._make(array)


class Var(_Reduction):
    """Variance sum((x - mean)^2) / (n - correction); d var / d x = 2 (x - mean) / (n - c)."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._array
        if a.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.divisor = builtins.max(_count(a.shape, dims) - correction, 0)
        ctx.save_for_backward(x)
        return backend(x).var(a, axis=dims, ddof=correction, keepdims=keepdim)

    @staticmethod
    def partials(ctx):
        (x,) = ctx.saved_tensors
        return 2 * (x - x.mean(ctx.dims, keepdim=True)) / ctx.divisor


class Std(_Reduction):
    """Standard deviation sqrt(var); d std / d x = (x - mean) / ((n - correction) std).
    Where all elements are equal (std = 0) that is 0 / 0: PyTorch takes it as 0."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        out = backend(x).sqrt(Var.forward(ctx, x, dims, correction, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def partials(ctx):
        from .pointwise import where

        x, std = ctx.saved_tensors
        std = _restore_dims(std, ctx.dims, ctx.keepdim)
        safe_std = where(std == 0, 1.0, std)  # std = 0 means x - mean = 0: the gradient is 0
        return (x - x.mean(ctx.dims, keepdim=True)) / (ctx.divisor * safe_std)


class LogSumExp(_Reduction):
    """log(sum(exp(x))), computed as m + log(sum(exp(x - m))) with m = max(x) so that
    exp never overflows; d out / d x = exp(x - out) = softmax(x)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        B = backend(x)
        a = unary_float(x)
        m = B.max(a, axis=dims, keepdims=True) if a.size else B.zeros((1,) * a.ndim, a.dtype)
        m = B.where(B.isfinite(m), m, 0)  # all -inf (or +inf) would give nan in x - m
        out = B.log(B.sum(B.exp(a - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.reshape([s for d, s in enumerate(out.shape) if d not in dims])
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def partials(ctx):
        x, out = ctx.saved_tensors
        return (x - _restore_dims(out, ctx.dims, ctx.keepdim)).exp()


class VectorNorm(_Reduction):
    """The p-norm (sum |x|^p)^(1/p); p = inf is max |x|, p = -inf is min |x|, p = 0 counts the
    non-zeros. d ||x|| / d x = sign(x) |x|^(p-1) / ||x||^(p-1); for p = 2 that is x / ||x||.
    At x = 0 the gradient is taken as 0 (as in PyTorch)."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        B = backend(x)
        a = B.abs(unary_float(x))
        if p == 2:
            out = B.sqrt(B.sum(a * a, axis=dims, keepdims=keepdim))
        elif p == math.inf:
            out = B.max(a, axis=dims, keepdims=keepdim)
        elif p == -math.inf:
            out = B.min(a, axis=dims, keepdims=keepdim)
        elif p == 0:
            out = B.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            out = B.sum(a**p, axis=dims, keepdims=keepdim) ** (1 / p)
        out = B.asarray(out).astype(a.dtype, copy=False)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def partials(ctx):
        from .pointwise import where

        x, norm = ctx.saved_tensors
        p = ctx.p
        norm = _restore_dims(norm, ctx.dims, ctx.keepdim)
        if p == 0:
            return x * 0
        if p == 1:
            return x.sign()
        if p in (math.inf, -math.inf):
            hit = (x.abs() == norm.detach()).to(x.dtype)
            return x.sign() * hit / hit.sum(ctx.dims, keepdim=True)
        safe_norm = where(norm == 0, 1.0, norm)  # 0 / 0: the gradient at x = 0 is 0
        if p == 2:
            return x / safe_norm
        return x * x.abs() ** (p - 2) / safe_norm ** (p - 1)


# -- the public functions --------------------------------------------------------------------


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


def _numpy_dtype(dtype):
    return None if dtype is None else dt.to_numpy_dtype(dtype)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
    dim = dim if axis is None else axis
    dims = normalize_dims(dim, input._array.ndim)
    return Sum.apply(input, dims, keepdim, _numpy_dtype(dtype))


def mean(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None):
    """Average of all elements, or over ``dim``; floating point inputs only."""
    dim = dim if axis is None else axis
    dims = normalize_dims(dim, input._array.ndim)
    return Mean.apply(input, dims, keepdim, _numpy_dtype(dtype))


def prod_dims(input, dims, keepdim: bool = False, dtype=None):
    """Product over a tuple of dims (used by ``prod`` and its own backward)."""
    return Prod.apply(input, dims, keepdim, dtype)


def prod(input, dim: int | None = None, keepdim: bool = False, *, dtype=None, axis=None):
    """Product of all elements, or along one ``dim``. Its gradient is right with zeros too."""
    dim = dim if axis is None else axis
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    dims = normalize_dims(dim, input._array.ndim)
    return Prod.apply(input, dims, keepdim, _numpy_dtype(dtype))


def amax(input, dim=(), keepdim: bool = False, *, axis=None):
    """The largest element over ``dim`` (an int or a tuple; ``()`` means all dims).
    Ties share the gradient equally."""
    dim = dim if axis is None else axis
    dims = normalize_dims(dim if dim != () else None, input._array.ndim)
    if input._array.size == 0:
        _check_nonempty_reduction("amax", input._array, () if dim == () else dims)
    return Amax.apply(input, dims, keepdim)


def amin(input, dim=(), keepdim: bool = False, *, axis=None):
    """The smallest element over ``dim`` (an int or a tuple; ``()`` means all dims)."""
    dim = dim if axis is None else axis
    dims = normalize_dims(dim if dim != () else None, input._array.ndim)
    if input._array.size == 0:
        _check_nonempty_reduction("amin", input._array, () if dim == () else dims)
    return Amin.apply(input, dims, keepdim)


def _max_or_min(fn, input, dim, keepdim, other):
    from .._tensor import Tensor

    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
        other, dim = dim, None
    if other is not None:
        from .binary import maximum, minimum

        return (maximum if fn == "max" else minimum)(input, other)
    if dim is None:
        if input._array.size == 0:
            _check_nonempty_reduction(fn, input._array, ())
        return (MaxAll if fn == "max" else MinAll).apply(input, normalize_dims(None, input.ndim),
                                                       False)
    d = wrap_dim(dim, input._array.ndim)
    values, indices = MaxDim.apply(input, d, keepdim, fn)
    return (max_result if fn == "max" else min_result)(values, indices)


def max(input, dim=None, keepdim: bool = False, *, other=None, axis=None):
    """``max(x)``: the largest element (ties share the gradient).
    ``max(x, dim)``: a named tuple ``(values, indices)`` along ``dim``.
    ``max(x, y)``: the elementwise ``maximum``."""
    return _max_or_min("max", input, dim if axis is None else axis, keepdim, other)


def min(input, dim=None, keepdim: bool = False, *, other=None, axis=None):
    """``min(x)``, ``min(x, dim)`` -> ``(values, indices)``, or ``min(x, y)`` elementwise."""
    return _max_or_min("min", input, dim if axis is None else axis, keepdim, other)


def _check_nonempty_reduction(fn: str, a, dims) -> None:
    """max/min/argmax of no elements is undefined: PyTorch's RuntimeError (no dim given) or
    IndexError (a reduced dim of size 0)."""
    if not dims:
        raise RuntimeError(f"{fn}(): Expected reduction dim to be specified for "
                           "input.numel() == 0. Specify the reduction dim with the 'dim' "
                           "argument.")
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")


def _arg(fn, input, dim, keepdim):
    from .._tensor import Tensor

    B = backend(input)
    a = input._array
    if a.size == 0 and dim is None:
        raise IndexError(f"{fn}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    if a.size == 0:
        _check_nonempty_reduction(fn, a, (wrap_dim(dim, a.ndim),))
    if dim is None:
        idx = getattr(B, fn)(a.reshape(-1))
        if keepdim:
            idx = B.asarray(idx).reshape((1,) * a.ndim)
    else:
        d = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            idx = B.zeros((), dtype=dt.int64.numpy)
        else:
            idx = getattr(B, fn)(a, axis=d, keepdims=keepdim)
    return Tensor._make(B.asarray(idx).astype(dt.int64.numpy, copy=False))


def argmax(input, dim: int | None = None, keepdim: bool = False, *, axis=None):
    """Index of the largest element (of the flattened tensor, or along ``dim``)."""
    return _arg("argmax", input, dim if axis is None else axis, keepdim)


def argmin(input, dim: int | None = None, keepdim: bool = False, *, axis=None):
    """Index of the smallest element (of the flattened tensor, or along ``dim``)."""
    return _arg("argmin", input, dim if axis is None else axis, keepdim)


def _variance_args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # the legacy var(x, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None else int(unbiased)
    elif unbiased is not None:
        raise RuntimeError("var(): can't specify both unbiased and correction")
    return dim, correction, keepdim


def var(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, axis=None):
    """Variance over ``dim``: sum((x - mean)^2) / (n - correction). ``correction=1`` (the
    default, Bessel's correction) gives the unbiased estimate; ``unbiased=False`` is
    ``correction=0``."""
    dim, correction, keepdim = _variance_args(dim if axis is None else axis, unbiased, keepdim,
                                              correction)
    return Var.apply(input, normalize_dims(dim, input._array.ndim), correction, keepdim)


def std(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, axis=None):
    """Standard deviation: the square root of ``var`` (same arguments)."""
    dim, correction, keepdim = _variance_args(dim if axis is None else axis, unbiased, keepdim,
                                              correction)
    return Std.apply(input, normalize_dims(dim, input._array.ndim), correction, keepdim)


def var_mean(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: int | None = None):
    """``(var, mean)`` over the same dims."""
    dim, correction, keepdim = _variance_args(dim, unbiased, keepdim, correction)
    return (var(input, dim, keepdim=keepdim, correction=correction),
            mean(input, dim, keepdim=keepdim))


def std_mean(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: int | None = None):
    """``(std, mean)`` over the same dims."""
    dim, correction, keepdim = _variance_args(dim, unbiased, keepdim, correction)
    return (std(input, dim, keepdim=keepdim, correction=correction),
            mean(input, dim, keepdim=keepdim))


def vector_norm(input, ord=2, dim=None, keepdim: bool = False, *, dtype=None):
    """The p-norm of the elements over ``dim`` (all elements by default): ord 2 is the
    Euclidean length, 1 the sum of absolute values, ``inf`` the largest absolute value."""
    if dtype is not None:
        input = input.to(dtype)
    if input._array.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype_name(input._array)}")
    dims = normalize_dims(dim, input._array.ndim)
    return VectorNorm.apply(input, float(ord), dims, keepdim)


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """The p-norm of all elements, or over ``dim`` (``torch.norm``): ``'fro'`` (default) is
    the 2-norm, numbers and ``inf`` as in ``linalg.vector_norm``."""
    if p == "fro" or p is None:
        p = 2
    elif isinstance(p, str):
        raise NotImplementedError(f"norm with p={p!r} is not supported; use linalg.matrix_norm")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def logsumexp(input, dim=None, keepdim: bool = False, *, axis=None):
    """log(sum(exp(x))) over ``dim``, without overflow (the max is taken out first)."""
    dim = dim if axis is None else axis
    if dim is None:
        raise TypeError("logsumexp() missing 1 required positional argument: 'dim'")
    dims = normalize_dims(dim, input._array.ndim)
    return LogSumExp.apply(input, dims, keepdim)


def softmax(input, dim: int, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``: scores turned into probabilities."""
    from .nn_activation import softmax as _softmax

    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim: int, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably as x - logsumexp(x)."""
    from .nn_activation import log_softmax as _log_softmax

    return _log_softmax(input, dim, dtype=dtype)


def _truth(fn, input, dim, keepdim):
    from .._tensor import Tensor

    a = input._array
    B = backend(input)
    dims = () if dim == () else normalize_dims(dim, a.ndim)  # PyTorch: dim=() reduces nothing
    out = B.asarray(getattr(B, fn)(a, axis=dims, keepdims=keepdim))
    return Tensor._make(out if a.dtype.kind != "u" else out.astype(a.dtype))


def all(input, dim=None, keepdim: bool = False, *, axis=None):
    """True if every element is non-zero (over ``dim``, or all elements)."""
    return _truth("all", input, dim if axis is None else axis, keepdim)


def any(input, dim=None, keepdim: bool = False, *, axis=None):
    """True if some element is non-zero (over ``dim``, or all elements)."""
    return _truth("any", input, dim if axis is None else axis, keepdim)


def count_nonzero(input, dim=None, *, axis=None):
    """How many elements are non-zero (over ``dim``, or all elements); int64."""
    from .._tensor import Tensor

    dim = dim if axis is None else axis
    B = backend(input)
    dims = normalize_dims(dim, input._array.ndim)
    out = B.asarray(B.count_nonzero(input._array, axis=dims))
    return Tensor._make(out.astype(dt.int64.numpy, copy=False))


def _sum_to_size_method(self, *size):
    """``x.sum_to_size(2, 1)``: sum a broadcast tensor down to ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return sum_to_size(self, size)


__all__ = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var",
           "std", "var_mean", "std_mean", "norm", "logsumexp", "softmax", "log_softmax", "all",
           "any", "count_nonzero"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name not in ("var_mean",
                                                                              "std_mean")}
TENSOR_METHODS["sum_to_size"] = _sum_to_size_method
