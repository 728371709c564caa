"""Order statistics: ``quantile``, ``nanquantile`` and ``mode``.

The q-quantile of n values is read off the sorted values at the (fractional) position
``q * (n - 1)``: q = 0.5 of [1, 2, 3, 4] sits at 1.5, between 2 and 3. ``interpolation``
says what to take between the two neighbours ``lo = floor(pos)`` and ``hi = ceil(pos)``:
``'linear'`` (default) ``v[lo] + (pos - lo) * (v[hi] - v[lo])``, ``'lower'`` v[lo],
``'higher'`` v[hi], ``'midpoint'`` their mean, ``'nearest'`` the one nearer (a tie rounds
to the even position, as Python's ``round``).

Sorting moves values around and the interpolation weights are constants, so the gradient
goes back to the one or two elements each quantile was read from (through ``sort`` and
``gather``). NaN sorts last: ``quantile`` of a slice holding NaN is NaN (read at the last
position), ``nanquantile`` counts only the non-NaN values of each slice.

``mode`` is the most frequent value (the smallest one among equally frequent values) and
the index of its last occurrence, as PyTorch's CPU version gives.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import backend, wrap_dim
from .reduce import return_type
from .scatter import gather
from .sort import TakeSorted

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_q(input: Tensor, q) -> Tensor:
    """``q`` as a 1-d tensor of input's dtype and device, checked as PyTorch does."""
    if isinstance(q, Tensor):
        if q._array.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._array.dtype != input._array.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        values = backend(q).to_numpy(q._array)
        if values.size and not ((values >= 0) & (values <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        return q.reshape(-1)
    if not isinstance(q, (int, float)) or isinstance(q, bool):
        raise TypeError(f"quantile() received an invalid combination of arguments - got "
                        f"({type(q).__name__}), expected q: a float or a Tensor")
    if not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    return input.new_tensor([float(q)])


def _quantile(name: str, input: Tensor, q, dim, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    from .pointwise import where

    if input._array.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor) or q._array.ndim == 0
    qs = _check_q(input, q)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x = input.reshape(-1)
        kept = [1] * input.ndim
    else:
        d = wrap_dim(dim, input.ndim)
        x = input.reshape(1) if input.ndim == 0 else input.movedim(d, -1)
        kept = list(input.shape)
        if input.ndim:
            kept[d] = 1
    values = x.sort(-1).values  # (..., n), NaN last
    n = values.shape[-1]
    nan = x.isnan()
    if ignore_nan:
        count = (~nan).sum(-1, keepdim=True).to(input.dtype)  # non-NaN values per slice
        pos = qs * (count - 1)
        pos = where(count == 0, 0.0, pos)  # all NaN: read the first (a NaN)
    else:
        pos = where(nan.any(-1, keepdim=True), float(n - 1), qs * (n - 1))
    pos = pos.detach()
    if interpolation == "lower":
        pos = pos.floor()
    elif interpolation == "higher":
        pos = pos.ceil()
    elif interpolation == "nearest":
        pos = pos.round()
    lo = pos.floor().long()
    out = gather(values, -1, lo)
    if interpolation in ("linear", "midpoint"):
        weight = pos - lo.to(pos.dtype) if interpolation == "linear" else 0.5
        out = out.lerp(gather(values, -1, pos.ceil().long()), weight)
    out = out.movedim(-1, 0)  # (len(q), ...)
    if keepdim:
        out = out.reshape([qs.shape[0]] + kept)
    elif dim is None:
        out = out.reshape([qs.shape[0]])
    return out[0] if scalar_q else out


def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles of ``input`` (all elements, or along ``dim``): ``q`` = 0.5 is the
    median (the mean of the two middle values for an even count, unlike ``median``),
    0.25 and 0.75 the quartiles. ``q`` is a number in [0, 1] or a 1-d tensor of them; for a
    tensor the result gets a first dim, one entry per q. NaN in a slice gives NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring NaN: each slice's quantile is taken over its non-NaN values
    (NaN only where a slice has nothing else)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


mode_result = return_type("mode")


def _mode_positions(a: np.ndarray) -> np.ndarray:
    """For each row of ``a`` (last dim), the index of the last occurrence of its mode."""
    n = a.shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")  # equal values keep their order
    ordered = np.take_along_axis(a, order, axis=-1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]  # a new value begins here
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0), axis=-1)
    run = np.arange(n) - first + 1  # length of the run of equal values so far
    ends = np.ones(ordered.shape, dtype=bool)  # a run ends where the next one starts
    ends[..., :-1] = starts[..., 1:]
    # the longest run; among equally long ones the first, which holds the smallest value
    best = np.argmax(np.where(ends, run, 0), axis=-1)[..., None]
    return np.take_along_axis(order, best, axis=-1)  # its last element: the last occurrence


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` and the index where it occurs (its last
    occurrence), as a named tuple ``(values, indices)``. Among equally frequent values the
    smallest wins: the mode of [3, 1, 3, 1] is 1. The gradient goes to that one element."""
    a = input._array
    if a.ndim == 0:
        return mode_result(input.clone(), Tensor._make(backend(input).zeros(
            (), dtype=dt.int64.numpy)))
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    B = backend(input)
    host = np.moveaxis(B.to_numpy(a), d, -1)
    index = np.moveaxis(_mode_positions(host), -1, d)
    values, indices = TakeSorted.apply(input, d, B.from_numpy(index, getattr(a, "device",
                                                                             None)))
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return mode_result(values, indices)


__all__ = ["quantile", "nanquantile", "mode"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
