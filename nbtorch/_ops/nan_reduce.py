"""Reductions that skip NaN: ``nansum``, ``nanmean`` and ``nanmedian``.

A NaN often marks a missing value. ``nansum`` adds up the others: it is the ``sum`` of the
tensor with every NaN replaced by 0, ``where(isnan(x), 0, x).sum()``. ``where`` sends the
gradient only to the side it picked, so a NaN entry gets gradient 0 and every other entry 1,
as in PyTorch. ``nanmean`` divides that sum by how many entries are not NaN (a slice of only
NaN gives 0 / 0 = NaN). Both are compositions of differentiable ops, so higher-order and
forward-mode gradients, and the cuda device, come with them.

``nanmedian`` is ``median`` of the values that are not NaN. Sorting puts NaNs last, so of
the m values that are not NaN, the median (the lower middle one) sits at sorted position
(m - 1) // 2; a slice of only NaN gives NaN. Its gradient is ``median``'s: the element
picked (with ``dim``), or all the elements equal to the result, sharing it (without).
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._util import backend, wrap_dim
from .pointwise import type_name, where
from .reduce import return_type
from .sort import MedianAll, TakeSorted, median, sort_indices

nanmedian_result = return_type("nanmedian")


def _without_nan(input: Tensor) -> Tensor:
    """``input`` with NaN replaced by 0 (integers have no NaN)."""
    return where(input.isnan(), 0.0, input) if input.is_floating_point() else input


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of the elements that are not NaN (over ``dim``: an int or a tuple of ints).
    Integer and bool inputs are summed as int64, as by ``sum``."""
    return _without_nan(input).sum(dim, keepdim=keepdim, dtype=dtype)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of the elements that are not NaN: their sum over their count (floating point
    inputs only)."""
    if not input.is_floating_point():
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {type_name(input._array)}")
    count = (~input.isnan()).sum(dim, keepdim=keepdim)
    with np.errstate(invalid="ignore"):  # 0 / 0 where everything is NaN: NaN, quietly
        return nansum(input, dim, keepdim, dtype=dtype) / count


def _lower_middle(B, a, axis: int):
    """The sorted position of the median of the values along ``axis`` that are not NaN
    (kept as a dim of size 1); 0 where all are NaN (NaN sorts last, so it is NaN there)."""
    n = a.shape[axis]
    m = n - B.sum(B.isnan(a), axis=axis, keepdims=True)
    return B.where(m > 0, (m - 1) // 2, 0)


class NanMedianAll(MedianAll):
    """``nanmedian(x)`` of all elements (the backward is ``median``'s)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        B = backend(x)
        flat = x._array.reshape(-1)
        if flat.size == 0:
            return MedianAll.forward(ctx, x, dims, keepdim)  # NaN, or median's error
        ctx.dims, ctx.keepdim = dims, keepdim
        position = B.take_along_axis(sort_indices(B, flat, 0, False),
                                     _lower_middle(B, flat, 0), axis=0)
        out = B.take_along_axis(flat, position, axis=0).reshape(())
        ctx.save_for_backward(x, out)
        return out


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The median of the values that are not NaN (the lower of the two middle ones for an
    even count); NaN where all are NaN. With ``dim``, a named tuple ``(values, indices)``
    like ``median``'s."""
    a = input._array
    if dim is None:
        return NanMedianAll.apply(input, tuple(range(a.ndim)), False)
    if a.ndim == 0:
        return nanmedian_result(*median(input, dim, keepdim))
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    B = backend(input)
    idx = B.take_along_axis(sort_indices(B, a, d, False), _lower_middle(B, a, d), axis=d)
    values, indices = TakeSorted.apply(input, d, idx)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return nanmedian_result(values, indices)


__all__ = ["nansum", "nanmean", "nanmedian"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
