"""LU factorization with partial pivoting: A = P L U (``linalg.lu_factor``, ``linalg.lu``,
``lu_unpack``, ``linalg.lu_solve``, and the older ``torch.lu`` and ``torch.lu_solve``).

Gaussian elimination, written down. For each column j: pick the row (at or below j) whose
entry in column j is largest in size, swap it up into row j (the "pivot": dividing by a
large number keeps rounding errors small), then subtract multiples of row j from the rows
below, to make their column j zero. The multipliers form L (unit lower triangular), what
is left of the rows forms U (upper triangular), and the swaps form the permutation P. An
m x n matrix gives L of m x k and U of k x n, k = min(m, n).

Like LAPACK (and PyTorch), the result is packed: L's multipliers below the diagonal and U on
and above it share one matrix ``LU``, and the swaps are ``pivots``, 1-based: at step j, row
j was swapped with row pivots[j]. ``lu_unpack`` turns these into P, L and U.

With A = P L U, solving A X = B is cheap: P^T B permutes rows, then two triangular solves
(``triangular.solve_triangular``). One factorization serves many right-hand sides.

Gradients (``LUFactor``): from dA = P (dL U + L dU), with X = L^-1 P^T dA U^-1 (square
case) the changes are dL = L (X below the diagonal) and dU = (X on and above it) U. The
backward runs this in reverse:

    dL/dA = P L^-T [ (L^T G_L) below the diagonal + (G_U U^T) on and above it ] U^-T

and a wide (tall) matrix has one more block of U (of L) whose gradient is passed on the
same way. PyTorch's formulas; written with triangular solves, so they can be differentiated
again. The elimination itself runs in numpy (a cuda tensor's matrices go through the host).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as dt
from .._creation import eye
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend
from .join import cat
from .pointwise import not_implemented, type_name
from .reduce import return_type
from .triangular import solve_triangular

lu_factor_result = return_type("linalg_lu_factor", ("LU", "pivots"))
lu_factor_ex_result = return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
lu_result = return_type("linalg_lu", ("P", "L", "U"))
lu_unpack_result = return_type("lu_unpack", ("P", "L", "U"))


def eliminate(a: np.ndarray):
    """Gaussian elimination with partial pivoting of each matrix in ``a`` (numpy):
    the packed ``LU``, the 1-based ``pivots`` (int32) and ``info`` (0, or the 1-based
    index of the first zero pivot, where U is singular)."""
    *batch, m, n = a.shape
    k, count = min(m, n), math.prod(batch)
    lu = np.array(a).reshape(count, m, n)
    pivots = np.empty((count, k), dtype=np.int32)
    info = np.zeros(count, dtype=np.int32)
    each = np.arange(count)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)  # the largest entry at or below j
        pivots[:, j] = p + 1
        lu[each, j], lu[each, p] = lu[each, p], lu[each, j].copy()  # swap rows j and p
        pivot = lu[:, j, j]
        zero = pivot == 0  # the whole column is 0 below too: nothing to eliminate
        info[(info == 0) & zero] = j + 1
        lu[:, j + 1:, j] /= np.where(zero, 1, pivot)[:, None]  # the multipliers: L's column
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return (lu.reshape(a.shape), pivots.reshape(*batch, k), info.reshape(batch))


def permutation(pivots: np.ndarray, m: int, dtype) -> np.ndarray:
    """The m x m matrices P (numpy) of ``pivots``: A = P L U."""
    *batch, k = pivots.shape
    count = math.prod(batch)
    order = np.broadcast_to(np.arange(m), (*batch, m)).copy()
    rows = order.reshape(count, m)
    each = np.arange(count)
    for j, p in enumerate(pivots.reshape(count, k).T - 1):  # replay the swaps on row numbers
        rows[each, j], rows[each, p] = rows[each, p], rows[each, j].copy()
    # row i of P^T A = L U is row order[i] of A, so P has a 1 at (order[i], i)
    P = np.zeros((*batch, m, m), dtype=dtype)
    np.put_along_axis(P, order[..., None, :], 1, axis=-2)
    return P


def _unpack(LU: Tensor):
    """L (m x k, ones on the diagonal) and U (k x n) from a packed ``LU`` (differentiable)."""
    m, n = LU.shape[-2:]
    k = min(m, n)
    L = LU[..., :, :k].tril(-1) + eye(m, k, dtype=LU.dtype, device=LU.device)
    return L, LU[..., :k, :].triu()


def _permutation_of(pivots: Tensor, m: int, like: Tensor) -> Tensor:
    B = backend(pivots)
    P = permutation(B.to_numpy(pivots._array), m, like._array.dtype)
    return Tensor._make(B.from_numpy(P, like.device))


def _square_backward(gL, gU, L, U):
    """L^-T [(L^T G_L) below the diagonal + (G_U U^T) on and above it] U^-T (square U)."""
    inner = (L.mT @ gL).tril(-1) + (gU @ U.mT).triu()
    inner = solve_triangular(U.mT, inner, upper=False, left=False)
    return solve_triangular(L.mT, inner, upper=True, unitriangular=True)


def _lu_backward(grad, P, L, U):
    """The gradient of A from the gradient ``grad`` of the packed LU."""
    m, n = grad.shape[-2:]
    k = min(m, n)
    gL, gU = grad[..., :, :k].tril(-1), grad[..., :k, :].triu()
    if m < n:  # A = P L [U1 U2]; U2 = L^-1 P^T A2 passes its gradient to A2 and to L
        U1, U2, gU1, gU2 = U[..., :k], U[..., k:], gU[..., :k], gU[..., k:]
        gA2 = solve_triangular(L.mT, gU2, upper=True, unitriangular=True)
        gA = cat([_square_backward(gL - gA2 @ U2.mT, gU1, L, U1), gA2], -1)
    elif m > n:  # A = P [L1; L2] U; L2 = P^T A2 U^-1 passes its gradient to A2 and to U
        L1, L2, gL1, gL2 = L[..., :k, :], L[..., k:, :], gL[..., :k, :], gL[..., k:, :]
        gA2 = solve_triangular(U.mT, gL2, upper=False, left=False)
        gA = cat([_square_backward(gL1, gU - L2.mT @ gA2, L1, U), gA2], -2)
    else:
        gA = _square_backward(gL, gU, L, U)
    return P @ gA


def _lu_jvp(tA, P, L, U):
    """The tangent of the packed LU from the tangent ``tA`` of A."""
    m, n = tA.shape[-2:]
    k = min(m, n)
    tA = P.mT @ tA
    L1, U1 = L[..., :k, :], U[..., :k]
    X = solve_triangular(L1, tA[..., :k, :k], upper=False, unitriangular=True)
    X = solve_triangular(U1, X, upper=True, left=False)
    # dL1 is below the diagonal and dU1 on and above it: their sum is the packed tangent
    dL1, dU1 = L1 @ X.tril(-1), X.triu() @ U1
    if m < n:  # dU2 = L^-1 (P^T dA2 - dL U2)
        dU2 = solve_triangular(L1, tA[..., :, k:] - dL1 @ U[..., k:], upper=False,
                               unitriangular=True)
        return cat([dL1 + dU1, dU2], -1)
    if m > n:  # dL2 = (P^T dA2 - L2 dU) U^-1
        dL2 = solve_triangular(U1, tA[..., k:, :] - L[..., k:, :] @ dU1, upper=True,
                               left=False)
        return cat([dL1 + dU1, dL2], -2)
    return dL1 + dU1


class LUFactor(Function):
    """A = P L U, packed (see the module docstring); the pivots are not differentiable."""

    @staticmethod
    def forward(ctx, A):
        B = backend(A)
        lu, pivots, info = eliminate(B.to_numpy(A._array))
        out = [B.from_numpy(x, A.device) for x in (lu, pivots, info)]
        ctx.mark_non_differentiable(out[1], out[2])
        ctx.save_for_backward(out[0], out[1])
        return tuple(out)

    @staticmethod
    def _factors(ctx):
        LU, pivots = ctx.saved_tensors
        L, U = _unpack(LU)
        return _permutation_of(pivots, LU.shape[-2], LU), L, U

    @staticmethod
    def backward(ctx, grad, *_):
        P, L, U = LUFactor._factors(ctx)
        return _lu_backward(grad, P, L, U)

    @staticmethod
    def jvp(ctx, t):
        P, L, U = LUFactor._factors(ctx)
        return _lu_jvp(t, P, L, U), None, None


def _check_lu_input(A: Tensor) -> None:
    if A.dim() < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(A.shape)} instead")
    if not A.is_floating_point():
        raise not_implemented("lu", A._array)


def _check_pivot(name: str, A: Tensor, pivot: bool) -> None:
    if not pivot:
        place = "on the CPU" if A.is_cpu else "in nbtorch"
        raise RuntimeError(f"{name}: LU without pivoting is not implemented {place}")


def _raise_on_zero_pivot(name: str, info: Tensor) -> None:
    """PyTorch's error for a singular U (``check_errors``)."""
    flat = backend(info).to_numpy(info._array).reshape(-1)
    if flat.any():
        batch = int(np.argmax(flat != 0))
        where = f"(Batch element {batch}): " if info.dim() else ""
        j = int(flat[batch])
        raise RuntimeError(f"torch.{name}: {where}U[{j},{j}] is zero and using it on lu_solve "
                           "would result in a division by zero. If you still want to perform "
                           "the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """The packed LU factorization of A (of each matrix in a batch), its pivots and ``info``
    (0, or the 1-based step where U got a zero pivot), as ``(LU, pivots, info)``."""
    _check_lu_input(A)
    _check_pivot("linalg.lu_factor", A, pivot)
    LU, pivots, info = LUFactor.apply(A)
    if check_errors:
        _raise_on_zero_pivot("linalg.lu_factor_ex", info)
    return lu_factor_ex_result(LU, pivots, info)


def lu_factor(A: Tensor, *, pivot: bool = True):
    """The packed LU factorization of A and its pivots, ``(LU, pivots)``; an error when U
    has a zero on its diagonal (A is singular): use ``lu_factor_ex`` to get it anyway."""
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    _raise_on_zero_pivot("linalg.lu_factor", info)
    return lu_factor_result(LU, pivots)


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """PyTorch's older name for ``linalg.lu_factor_ex``: ``(LU, pivots)``, or
    ``(LU, pivots, infos)`` with ``get_infos``. A singular A is not an error here."""
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    return (LU, pivots, info) if get_infos else (LU, pivots)


def _check_pivots(name: str, pivots: Tensor) -> None:
    if not isinstance(pivots, Tensor) or pivots.dtype is not dt.int32:
        raise RuntimeError(f"{name}: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype.\nNote: this function is intended to be used with "
                           "the output produced by torch.linalg.lu_factor")


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True):
    """P, L and U with A = P L U from the packed ``LU_data`` and ``LU_pivots`` of
    ``lu_factor``: L below the diagonal of LU (with ones on it), U on and above it, and P
    the pivots' row swaps as a permutation matrix. What is not unpacked is empty."""
    _check_pivots("torch.lu_unpack", LU_pivots)
    empty = LU_data.new_zeros(0)
    L, U = _unpack(LU_data) if unpack_data else (empty, empty)
    P = _permutation_of(LU_pivots, LU_data.shape[-2], LU_data) if unpack_pivots else empty
    return lu_unpack_result(P, L, U)


def linalg_lu(A: Tensor, *, pivot: bool = True):
    """The LU factorization A = P L U as three matrices ``(P, L, U)``."""
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    P, L, U = lu_unpack(LU, pivots)
    return lu_result(P, L, U)


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
                    adjoint: bool = False) -> Tensor:
    """X with A X = B from the LU factorization of A (``lu_factor``): P^T B, then two
    triangular solves. ``adjoint`` solves A^T X = B, ``left=False`` solves X A = B."""
    if B.dim() < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 "
                           "dimensions.")
    if LU.dim() < 2 or LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but "
                           f"they are {LU.shape[-2]} by {LU.shape[-1]} matrices")
    if pivots.dtype is not dt.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type "
                           "torch.int32")
    n = LU.shape[-1]
    if pivots.shape[-1:] != (n,):
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the "
                           "dimension of the matrix")
    if (B.shape[-2] if left else B.shape[-1]) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{equation} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if LU.dtype is not B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but "
                           f"found LU of type {type_name(LU._array)} and B of type "
                           f"{type_name(B._array)} instead")
    if not left:  # X A = B is A^T X^T = B^T
        return linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    P = _permutation_of(pivots, n, LU)
    L, U = _unpack(LU)
    if adjoint:  # A^T = U^T L^T P^T, so X = P L^-T U^-T B
        Y = solve_triangular(U.mT, B, upper=False)
        return P @ solve_triangular(L.mT, Y, upper=True, unitriangular=True)
    Y = solve_triangular(L, P.mT @ B, upper=False, unitriangular=True)
    return solve_triangular(U, Y, upper=True)


def lu_solve(input: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """PyTorch's older form of ``linalg.lu_solve``, with B first: X with A X = ``input``."""
    return linalg_lu_solve(LU_data, LU_pivots, input)


__all__ = ["lu", "lu_unpack", "lu_solve"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name != "lu_unpack"}
