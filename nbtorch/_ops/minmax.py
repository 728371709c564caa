"""The smallest and largest elements together (``aminmax``), and running along a dim
(``cummax``, ``cummin``).

``cummax(x, dim)`` gives, at each position k, the largest of x_0..x_k and the index where it
is. Only the indices are searched for; the values are then ``x`` taken at those indices, so
the gradient of each output goes back to the element it came from (as for ``sort`` and
``max(dim)``), with no new derivative to write.

The indices come from a *scan*, computed in log2(n) steps of whole-array operations (the
Hillis-Steele scan, which runs the same on numpy and on the cuda backend): after the step
with shift s, position k knows the best element of the 2s positions ending at k, found by
comparing its own best with the best that position k - s knew. "Best" follows PyTorch:
NaN beats every number, and of equal elements the later one wins (its index is the larger).
"""

from __future__ import annotations

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import backend, wrap_dim
from .reduce import amax, amin, return_type
from .sort import TakeSorted

aminmax_result = return_type("aminmax", ("min", "max"))
cummax_result, cummin_result = return_type("cummax"), return_type("cummin")


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False):
    """The smallest and the largest element (over ``dim``, or all), as a named tuple
    ``(min, max)``. Ties share the gradient equally, as in ``amin`` and ``amax``."""
    a = input._array
    if dim is None:
        if a.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        dims = ()
    else:
        d = wrap_dim(dim, a.ndim)
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = d if a.ndim else ()  # a 0-d tensor has the one element
    return aminmax_result(amin(input, dims, keepdim), amax(input, dims, keepdim))


def _running_best(B, a, largest: bool):
    """Index of the running max (or min) along the last axis of array ``a``."""
    n = a.shape[-1]
    best = a
    index = B.broadcast_to(B.arange(n, dtype=dt.int64.numpy), a.shape)
    floats = a.dtype.kind == "f"
    s = 1
    while s < n:
        earlier, here = best[..., :-s], best[..., s:]  # position k - s, and position k
        wins = earlier > here if largest else earlier < here
        if floats:
            wins = wins | (B.isnan(earlier) & ~B.isnan(here))
        best = B.concatenate([best[..., :s], B.where(wins, earlier, here)], axis=-1)
        index = B.concatenate([index[..., :s], B.where(wins, index[..., :-s], index[..., s:])],
                              axis=-1)
        s *= 2
    return index


def _cumulative(input: Tensor, dim: int, largest: bool):
    a = input._array
    B = backend(input)
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return input.clone(), Tensor._make(B.zeros((), dtype=dt.int64.numpy))
    index = _running_best(B, B.moveaxis(a, d, -1), largest)
    return TakeSorted.apply(input, d, B.ascontiguousarray(B.moveaxis(index, -1, d)))


def cummax(input: Tensor, dim: int):
    """Running maximum along ``dim`` and where it is: a named tuple ``(values, indices)``;
    values[k] = max(x[0], ..., x[k]). Of equal elements the last one's index is given, and
    the gradient goes to that element."""
    return cummax_result(*_cumulative(input, dim, largest=True))


def cummin(input: Tensor, dim: int):
    """Running minimum along ``dim`` and where it is: a named tuple ``(values, indices)``."""
    return cummin_result(*_cumulative(input, dim, largest=False))


__all__ = ["aminmax", "cummax", "cummin"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
