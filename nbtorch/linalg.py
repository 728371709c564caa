"""``nbtorch.linalg``: norms, determinants, inverses, linear solves and decompositions
(``torch.linalg``).

The differentiable functions themselves live in ``nbtorch._ops.linalg`` (det, inverse,
solve), ``nbtorch._ops.decompositions`` (svd, qr, eigh, cholesky), ``nbtorch._ops.linalg_extra``
(pinv, lstsq, slogdet, ...), ``nbtorch._ops.triangular`` (solve_triangular), ``nbtorch._ops.lu``
(lu_factor, lu, lu_solve), ``nbtorch._ops.matrix_exp`` and ``nbtorch._ops.reduce`` (vector
norms); this module gives them PyTorch's names.
"""

from __future__ import annotations

import math

from ._ops.decompositions import cholesky_ex, eigh, eigvalsh, svdvals
from ._ops.decompositions import linalg_cholesky as cholesky
from ._ops.decompositions import linalg_qr as qr
from ._ops.decompositions import linalg_svd as svd
from ._ops.linalg import LinAlgError, det, solve
from ._ops.linalg import inverse as inv
from ._ops.linalg_extra import (
    cond,
    lstsq,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    slogdet,
    vecdot,
)
from ._ops.linalg_extra import linalg_cross as cross
from ._ops.lu import linalg_lu as lu
from ._ops.lu import linalg_lu_solve as lu_solve
from ._ops.lu import lu_factor, lu_factor_ex
from ._ops.matrix_exp import matrix_exp
from ._ops.pointwise import type_name
from ._ops.reduce import vector_norm
from ._ops.triangular import solve_triangular


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """A norm of each matrix over the two dims ``dim``: ``'fro'`` (default) is the square
    root of the sum of squares; 1 / -1 the largest / smallest column sum of |A|;
    inf / -inf the largest / smallest row sum of |A|; 2 / -2 the largest / smallest
    singular value and ``'nuc'`` their sum."""
    if dtype is not None:
        A = A.to(dtype)
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not A.is_floating_point():
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {type_name(A._array)}")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        rows, cols = (d % A.dim() for d in dim)
        summed, reduced = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(reduced, keepdim=True) if ord > 0 else sums.amin(reduced, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    if ord in (2, -2, "nuc"):  # from the singular values of the matrices moved last
        rows, cols = (d % A.dim() for d in dim)
        S = svdvals(A.movedim((rows, cols), (-2, -1)))
        out = S.amax(-1) if ord == 2 else S.amin(-1) if ord == -2 else S.sum(-1)
        return out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols)) if keepdim else out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):
    """A vector norm or a matrix norm, chosen like PyTorch: with ``dim`` an int (or ``A``
    1-d) a vector norm, with ``dim`` a pair (or ``A`` 2-d and ``ord`` given) a matrix
    norm; with neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None or A.dim() == 1:
            return vector_norm(A, 2 if ord is None else ord, None, keepdim, dtype=dtype)
        if A.dim() != 2:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.dim()}D.")
        dim = (-2, -1)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


__all__ = ["LinAlgError", "det", "inv", "solve", "norm", "vector_norm", "matrix_norm", "svd",
           "svdvals", "qr", "eigh", "eigvalsh", "cholesky", "cholesky_ex", "pinv", "slogdet",
           "lstsq", "matrix_power", "multi_dot", "matrix_rank", "cond", "vecdot", "cross",
           "solve_triangular", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "matrix_exp"]
