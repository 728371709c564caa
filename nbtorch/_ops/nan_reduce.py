"""Reductions that skip NaN: ``nansum`` and ``nanmean``.

A NaN often marks a missing value. ``nansum`` adds up the others: it is the ``sum`` of the
tensor with every NaN replaced by 0, ``where(isnan(x), 0, x).sum()``. ``where`` sends the
gradient only to the side it picked, so a NaN entry gets gradient 0 and every other entry 1,
as in PyTorch. ``nanmean`` divides that sum by how many entries are not NaN (a slice of only
NaN gives 0 / 0 = NaN). Both are compositions of differentiable ops, so higher-order and
forward-mode gradients, and the cuda device, come with them.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .pointwise import type_name, where


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


__all__ = ["nansum", "nanmean"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
