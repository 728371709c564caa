"""Triangular systems: ``linalg.solve_triangular``, and what is built on it:
``triangular_solve``, ``cholesky_solve`` and ``cholesky_inverse``.

A triangular system is the easy kind of linear system. If A is lower triangular,
A X = B reads, row by row,

    A[0,0] X[0] = B[0]
    A[1,0] X[0] + A[1,1] X[1] = B[1]  ...

so X[0] comes first, then X[1] from it, and so on ("forward substitution"):
X[i] = (B[i] - A[i,:i] X[:i]) / A[i,i]. An upper triangular A is solved from the last row
up ("back substitution"). n steps for n rows, each a small product: no pivoting, no
factorization. A zero on the diagonal gives inf or NaN, as LAPACK's solver does. Only
A's triangle is read; the other one may hold anything (for instance the other factor of
an LU factorization).

Gradients of X = A^-1 B (``SolveTriangular``): with G the gradient of X,

    dL/dB = A^-T G               (another triangular solve, with the transposed A)
    dL/dA = -(dL/dB) X^T         (kept on A's triangle: the other entries are not used)

and the tangent is dX = A^-1 (dB - dA X). They are written with the same solve, so
gradients of every order come for free. (For ``cholesky_solve`` and ``cholesky_inverse``
PyTorch also fills the factor's other triangle, which the solve never reads, with the
formula's values; here those entries get their true derivative, 0. Through ``cholesky``,
the gradient of A is the same.) The substitution runs in numpy (a cuda tensor's
matrices go through the host, like the other small linear algebra).

Solving with the Cholesky factor L of A = L L^T is two triangular solves, L Y = B and then
L^T X = Y: that is ``cholesky_solve``; with B = I it gives A^-1 (``cholesky_inverse``).
"""

from __future__ import annotations

import numpy as np

from .._creation import eye
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import backend, promoted_dtype
from .linalg import LinAlgError
from .pointwise import not_implemented
from .reduce import return_type

triangular_solve_result = return_type("triangular_solve", ("solution", "cloned_coefficient"))


def substitute(a: np.ndarray, b: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    """X with A X = B for triangular matrices A (numpy arrays; batch dims broadcast)."""
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]))  # a copy, filled in row by row
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero on the diagonal: inf, NaN
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            known = slice(i + 1, n) if upper else slice(0, i)
            x[..., i, :] -= (a[..., i:i + 1, known] @ x[..., known, :])[..., 0, :]
            if not unitriangular:
                x[..., i, :] /= a[..., i, i, None]
    return x


def _triangle(M: Tensor, upper: bool, unitriangular: bool) -> Tensor:
    """The entries of M that a triangular solve reads (the diagonal too, unless it is
    taken as ones)."""
    if upper:
        return M.triu(1 if unitriangular else 0)
    return M.tril(-1 if unitriangular else 0)


class SolveTriangular(Function):
    """X with A X = B, A upper or lower triangular (see the module docstring)."""

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular):
        Bk = backend(A)
        x = substitute(Bk.to_numpy(A._array), Bk.to_numpy(B._array), upper, unitriangular)
        out = Bk.from_numpy(x, getattr(A._array, "device", None))
        ctx.upper, ctx.unitriangular = upper, unitriangular
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        gB = SolveTriangular.apply(A.mT, grad, not ctx.upper, ctx.unitriangular)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = _triangle(-(gB @ X.mT), ctx.upper, ctx.unitriangular)
        return gA, gB if ctx.needs_input_grad[1] else None, None, None

    @staticmethod
    def jvp(ctx, tA, tB, *_):
        A, X = ctx.saved_tensors
        rhs = None if tA is None else -(_triangle(tA, ctx.upper, ctx.unitriangular) @ X)
        if tB is not None:
            rhs = tB if rhs is None else rhs + tB
        return SolveTriangular.apply(A, rhs, ctx.upper, ctx.unitriangular)


def _check_float(name: str, *tensors) -> None:
    for t in tensors:
        if not t.is_floating_point():
            raise not_implemented(name, t._array)


def _check_matrices(name: str, A: Tensor, B: Tensor) -> None:
    for label, M in (("A", A), ("B", B)):
        if M.dim() < 2:
            raise RuntimeError(f"{name}: The input tensor {label} must have at least 2 "
                               "dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _broadcast_batch(A: Tensor, B: Tensor) -> None:
    """PyTorch's error when the batch dims of A and B do not broadcast."""
    a, b = A.shape[:-2], B.shape[:-2]
    for k in range(1, min(len(a), len(b)) + 1):
        if a[-k] != b[-k] and 1 not in (a[-k], b[-k]):
            raise RuntimeError(f"The size of tensor a ({b[-k]}) must match the size of tensor "
                               f"b ({a[-k]}) at non-singleton dimension "
                               f"{max(len(a), len(b)) - k}")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=True``) or X A = B, for an upper (``upper=True``) or lower
    triangular A; with ``unitriangular`` its diagonal is taken as ones. Only A's triangle
    is read. Batch dims broadcast, and the dtypes are promoted."""
    _check_matrices("linalg.solve_triangular", A, B)
    n, (rows, cols) = A.shape[-1], B.shape[-2:]
    if (rows if left else cols) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {equation} ({n}x{n} and {rows}x{cols})")
    dtype = promoted_dtype(A, B)
    A, B = A.to(dtype), B.to(dtype)
    _check_float("triangular_solve", A)
    _broadcast_batch(A, B)
    if not left:  # X A = B is A^T X^T = B^T, and A^T is triangular the other way
        return SolveTriangular.apply(A.mT, B.mT, not upper, unitriangular).mT
    return SolveTriangular.apply(A, B, upper, unitriangular)


def _check_same_dtype(b: Tensor, A: Tensor) -> None:
    if b.dtype is not A.dtype:
        from .pointwise import type_name

        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{type_name(b._array)} and A of type {type_name(A._array)} instead.")


def _check_b_and_A(name: str, b: Tensor, A: Tensor, b_name: str = "b") -> None:
    """The checks that ``triangular_solve`` and ``cholesky_solve`` share, in PyTorch's
    order and words."""
    if A.dim() >= 2 and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.dim() >= 2 and b.dim() >= 2 and b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is "
                           f"{A.shape[-1]} by {A.shape[-1]} but each b matrix is "
                           f"{b.shape[-2]} by {b.shape[-1]}")
    _check_same_dtype(b, A)
    _check_float(name, A)
    _broadcast_batch(A, b)


def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """PyTorch's older form of ``linalg.solve_triangular``, with the arguments the other way
    round: X with A X = ``input`` (A^T X = ``input`` with ``transpose``), returned with a
    copy of A as ``(solution, cloned_coefficient)``."""
    if input.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, "
                           f"but it has {input.dim()} dimensions instead")
    if A.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, "
                           f"but it has {A.dim()} dimensions instead")
    _check_b_and_A("triangular_solve", input, A)
    M = A.mT if transpose else A
    X = SolveTriangular.apply(M, input, upper != transpose, unitriangular)
    return triangular_solve_result(X, A.clone())


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """X with A X = ``input``, given the Cholesky factor ``input2`` of A: A = L L^T for a
    lower L (default), or A = U^T U for an upper U. Two triangular solves."""
    for label, M in (("b", input), ("u", input2)):
        if M.dim() < 2:
            raise RuntimeError(f"{label} should have at least 2 dimensions, but has {M.dim()} "
                               "dimensions instead")
    _check_b_and_A("cholesky_solve", input, input2)
    L = input2.mT if upper else input2  # A = L L^T with L lower triangular
    Y = SolveTriangular.apply(L, input, False, False)
    return SolveTriangular.apply(L.mT, Y, True, False)


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """A^-1 from the Cholesky factor ``input`` of A (A = L L^T, or U^T U with ``upper``):
    ``cholesky_solve`` of the identity. A zero on the diagonal (A singular) raises
    ``linalg.LinAlgError``."""
    if input.dim() < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 "
                           "dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they "
                           f"are {input.shape[-2]} by {input.shape[-1]} matrices")
    _check_float("cholesky_inverse_out", input)
    zeros = backend(input).to_numpy((input.diagonal(0, -2, -1) == 0)._array)
    if zeros.any():
        batch, i = divmod(int(np.argmax(zeros.reshape(-1))), input.shape[-1])
        where = f"(Batch element {batch}): " if input.dim() > 2 else ""
        raise LinAlgError(f"cholesky_inverse: {where}The diagonal element {i + 1} is zero, the "
                          "inversion could not be completed because the input matrix is "
                          "singular.")
    identity = eye(input.shape[-1], dtype=input.dtype, device=input.device)
    return cholesky_solve(identity.expand(input.shape), input, upper)


__all__ = ["triangular_solve", "cholesky_solve", "cholesky_inverse"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
