"""``pdist``: the distance between every pair of rows of one matrix.

For N rows it returns the N (N - 1) / 2 distances ||x_i - x_j||_p with i < j, in the order
of the upper triangle read row by row: (0, 1), (0, 2), ..., (0, N-1), (1, 2), ... . This is
``cdist(x, x)`` without the zero diagonal and without each distance twice.

The pairs are picked by indexing (``x[i] - x[j]``, whose gradient scatters back to the
rows), then ``cdist``'s p-norm, which gives a zero distance the gradient 0, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .contract import _p_norm
from .nn_basic import constant_like


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances between the rows of ``input`` (N, M): a vector of the
    N (N - 1) / 2 pairs i < j, in upper-triangle order. ``p`` >= 0, ``inf`` included."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input._array.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    first, second = np.triu_indices(input.shape[0], 1)
    pairs = input[constant_like(first, input)] - input[constant_like(second, input)]
    return _p_norm(pairs, float(p))


__all__ = ["pdist"]
