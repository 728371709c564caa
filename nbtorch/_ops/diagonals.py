"""Putting values on diagonals: ``diag_embed``, ``diagflat`` and ``diagonal_scatter``.

``diagonal(x, offset, dim1, dim2)`` reads a diagonal of the (dim1, dim2) matrices as a
last dim; the Function ``linalg.DiagonalScatter`` is its reverse, zeros with values written
on that diagonal (and its gradient is ``diagonal`` again). The three ops here are built from
that pair, so every gradient, forward-mode AD and the cuda device come for free:

* ``diag_embed(v)``: the last dim of ``v`` becomes the diagonal of new matrices;
* ``diagflat(v)``: ``v`` flattened on the diagonal of one square matrix;
* ``diagonal_scatter(x, v)``: ``x`` with its diagonal replaced, a ``where`` between ``x``
  and the scattered ``v`` (exact: nothing is added or subtracted).
"""

from __future__ import annotations

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import wrap_dim
from .linalg import DiagonalScatter, diag, diagonal
from .place import _check_slice_shape
from .pointwise import where


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A batch of matrices with the last dim of ``input`` on their diagonals: for a vector
    ``v`` of length n, the n x n matrix ``diag(v)``; for a (b, n) tensor, b such matrices.

    The result has one more dim than ``input``; ``dim1`` and ``dim2`` say which two of its
    dims hold the matrices (by default the last two) and ``offset`` which diagonal (> 0
    above the main one), so the matrices are n + |offset| square. It undoes
    ``diagonal(out, offset, dim1, dim2)``.
    """
    n = input._array.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = (input.shape[-1] if input.ndim else 1) + abs(offset)
    rest = iter(input.shape[:-1])
    shape = tuple(size if k in (d1, d2) else next(rest) for k in range(n))
    values = input if input.ndim else input.reshape(1)
    return DiagonalScatter.apply(values, shape, offset, d1, d2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The elements of ``input`` (flattened) on a diagonal of a square matrix, zeros
    elsewhere: ``diagflat(tensor([[1, 2], [3, 4]]))`` is the 4 x 4 ``diag([1, 2, 3, 4])``."""
    return diag(input.reshape(-1), offset)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` on the diagonal that ``diagonal(input, offset, dim1,
    dim2)`` reads (``src`` has that diagonal's shape): ``diagonal_scatter(zeros(2, 2),
    ones(2))`` is the identity matrix."""
    view = diagonal(input.detach(), offset, dim1, dim2)
    _check_slice_shape(src, view.shape)
    args = (offset, wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim))
    on_diagonal = DiagonalScatter.apply(view.new_ones(view.shape, dtype=dt.bool_),
                                        tuple(input.shape), *args)
    placed = DiagonalScatter.apply(src.to(input.dtype), tuple(input.shape), *args)
    return where(on_diagonal, placed, input)


__all__ = ["diag_embed", "diagflat", "diagonal_scatter"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
