"""Matrix decompositions and their gradients: ``svd``, ``eigh``, ``qr`` and ``cholesky``.

Each forward calls LAPACK through numpy (``numpy.linalg``); on a cuda tensor the matrices are
copied to the host, factored there and copied back, as ``inverse``, ``det`` and ``solve`` are.
Each backward (and jvp) is PyTorch's formula written in Tensor ops, so it can be
differentiated again. They all come from differentiating the defining equations:

* svd, A = U diag(S) V^T with U^T U = V^T V = I: dU = U Omega_U, dV = V Omega_V with Omega
  skew-symmetric, and the off-diagonal entries of U^T dA V give
  Omega_U[i, j] (s_j^2 - s_i^2) = P[i, j] s_j + P[j, i] s_i  (P = U^T dA V). The division by
  s_j^2 - s_i^2 is why gradients of U and V need distinct singular values; S alone
  (``svdvals``) has the gradient U diag(gS) V^T always.
* eigh, A = V diag(L) V^T: dL = diag(V^T dA V), dV = V ((V^T dA V) / (L_j - L_i)) off the
  diagonal; again distinct eigenvalues are needed for V.
* qr, A = Q R (m >= n): Q^T dA R^-1 = Q^T dQ + dR R^-1 is a skew-symmetric plus an upper
  triangular matrix, which splits it (M. Seeger et al.; PyTorch's ``linalg_qr_backward``).
* cholesky, A = L L^T: L^-1 dA L^-T = L^-1 dL + (L^-1 dL)^T, so dL = L Phi(L^-1 dA L^-T) with
  Phi the lower triangle, diagonal halved; its reverse form is Murray's formula
  (arXiv:1602.07527).

Only the triangle ``UPLO`` (eigh) or the lower/upper triangle (cholesky) of A is read, as in
PyTorch; their gradients are those of a symmetric input (symmetric matrices).
"""

from __future__ import annotations

import numpy as np

from .._creation import eye, tensor
from ..autograd.function import Function
from ._util import backend
from .join import cat
from .linalg import DiagonalScatter, LinAlgError, _check_square, solve, tril, triu
from .pointwise import type_name, where
from .reduce import return_type

svd_result = return_type("linalg_svd", ("U", "S", "Vh"))
torch_svd_result = return_type("svd", ("U", "S", "V"))
eigh_result = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
qr_result = return_type("linalg_qr", ("Q", "R"))
torch_qr_result = return_type("qr", ("Q", "R"))
cholesky_ex_result = return_type("linalg_cholesky_ex", ("L", "info"))


def check_float_matrices(name: str, A) -> None:
    """PyTorch's errors for an input that is not a (batch of) floating point matrices."""
    a = A._array
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(a)}")


def diag_embed(v):
    """The batch of square matrices with ``v``'s last dim on their diagonals."""
    k = v.shape[-1]
    return DiagonalScatter.apply(v, (*v.shape, k), 0, v.dim() - 1, v.dim())


def _gaps(values):
    """E[..., i, j] = values_j - values_i, with 1 on the diagonal (where the formulas divide
    a zero by it)."""
    k = values.shape[-1]
    return values.unsqueeze(-2) - values.unsqueeze(-1) + eye(k, dtype=values.dtype,
                                                              device=values.device)


def _times_inverse(X, R):
    """X R^-1 for a square R (solving R^T Z^T = X^T)."""
    return solve(R.mT, X.mT).mT


# -- svd -------------------------------------------------------------------------------------


class Svd(Function):
    """A = U diag(S) Vh. Unused outputs get no gradient (``set_materialize_grads(False)``),
    so ``svdvals``' gradient never divides by the gaps between singular values."""

    @staticmethod
    def forward(ctx, A, full_matrices):
        U, S, Vh = backend(A).svd(A._array, full_matrices=full_matrices)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        k = S.shape[-1]
        # With full_matrices the extra columns of U (rows of Vh) are any basis of the rest of
        # the space: like PyTorch, only the first k take part.
        U, Vh = U[..., :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :k]
        gVh = None if gVh is None else gVh[..., :k, :]
        return svd_backward(gU, gS, gVh, U, S, Vh), None

    @staticmethod
    def jvp(ctx, tA, _):
        U_full, S, Vh_full = ctx.saved_tensors
        m, n, k = U_full.shape[-2], Vh_full.shape[-1], S.shape[-1]
        U, Vh = U_full[..., :k], Vh_full[..., :k, :]
        V = Vh.mT
        P = U.mT @ tA @ V
        dS = P.diagonal(0, -2, -1)
        P = P - diag_embed(dS)
        E = _gaps(S * S)
        dU = U @ ((P * S.unsqueeze(-2) + (P * S.unsqueeze(-2)).mT) / E)
        dV = V @ ((S.unsqueeze(-1) * P + (S.unsqueeze(-1) * P).mT) / E)
        if m > n:  # the part of dA V outside the columns of U
            dAVSinv = tA @ (V / S.unsqueeze(-2))
            dU = dU + dAVSinv - U @ (U.mT @ dAVSinv)
        elif m < n:
            dAtUSinv = tA.mT @ (U / S.unsqueeze(-2))
            dV = dV + dAtUSinv - V @ (Vh @ dAtUSinv)
        if U_full.shape[-1] > k:  # full_matrices: the extra columns get no tangent (PyTorch)
            dU = cat([dU, dU.new_zeros((*dU.shape[:-1], m - k))], -1)
        if Vh_full.shape[-2] > k:
            dV = cat([dV, dV.new_zeros((*dV.shape[:-1], n - k))], -1)
        return dU, dS, dV.mT


def svd_backward(gU, gS, gVh, U, S, Vh):
    """The gradient of A = U diag(S) Vh (reduced, U m x k, Vh k x n) from those of its
    factors (None: no gradient); PyTorch's ``svd_backward`` for real matrices."""
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return (U * gS.unsqueeze(-2)) @ Vh
    E = _gaps(S * S)
    inner = 0
    if gU is not None:
        J = U.mT @ gU
        inner = (J - J.mT) * S.unsqueeze(-2)
    if gVh is not None:
        K = Vh @ gVh.mT
        inner = inner + S.unsqueeze(-1) * (K - K.mT)
    gA = inner / E
    if gS is not None:
        gA = gA + diag_embed(gS)
    if m > n and gU is not None:  # gA = [U gA + (I - U U^T) gU S^-1] Vh
        gUSinv = gU / S.unsqueeze(-2)
        return (U @ gA + gUSinv - U @ (U.mT @ gUSinv)) @ Vh
    if m < n and gVh is not None:  # gA = U [gA Vh + S^-1 gVh (I - V Vh)]
        SinvgVh = gVh / S.unsqueeze(-1)
        return U @ (gA @ Vh + SinvgVh - (SinvgVh @ Vh.mT) @ Vh)
    return U @ gA @ Vh


def linalg_svd(A, full_matrices: bool = True):
    """The singular value decomposition A = U diag(S) Vh (``torch.linalg.svd``): U and Vh
    have orthonormal columns/rows, S (descending, >= 0) the singular values. With
    ``full_matrices`` U is m x m and Vh n x n, else m x k and k x n (k = min(m, n)).

    Singular vectors are unique only up to sign (and less when singular values repeat), so
    compare functions of them (U diag(S) Vh, U U^T), not the vectors themselves. Gradients
    through U and Vh need distinct singular values (see the module docstring)."""
    check_float_matrices("linalg.svd", A)
    return svd_result(*Svd.apply(A, full_matrices))


def svdvals(A):
    """The singular values of A, descending (``torch.linalg.svdvals``); their gradient
    U diag(gS) Vh exists even when singular values repeat."""
    check_float_matrices("linalg.svd", A)
    return Svd.apply(A, False)[1]


def svd(input, some: bool = True, compute_uv: bool = True):
    """``torch.svd``: input = U diag(S) V^T, returning V (not Vh); ``some`` gives the
    reduced factors. Without ``compute_uv``, U and V are zero matrices (m x m, n x n)."""
    check_float_matrices("linalg.svd", input)
    if not compute_uv:
        m, n = input.shape[-2:]
        S = svdvals(input)
        batch = tuple(input.shape[:-2])
        return torch_svd_result(input.new_zeros((*batch, m, m)), S,
                                input.new_zeros((*batch, n, n)))
    U, S, Vh = Svd.apply(input, not some)
    return torch_svd_result(U, S, Vh.mT)


# -- eigh ------------------------------------------------------------------------------------


class Eigh(Function):
    """A = V diag(L) V^T for a symmetric A (only the triangle ``UPLO`` is read)."""

    @staticmethod
    def forward(ctx, A, UPLO):
        L, V = backend(A).eigh(A._array, UPLO=UPLO)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        if gV is None:
            return (V * gL.unsqueeze(-2)) @ V.mT, None
        J = V.mT @ gV
        inner = 0.5 * (J - J.mT) / _gaps(L)  # only the skew part moves orthonormal V
        if gL is not None:
            inner = inner + diag_embed(gL)
        return V @ inner @ V.mT, None

    @staticmethod
    def jvp(ctx, tA, _):
        L, V = ctx.saved_tensors
        P = V.mT @ tA @ V
        dL = P.diagonal(0, -2, -1)
        return dL, V @ ((P - diag_embed(dL)) / _gaps(L))


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO: str = "L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix
    (``torch.linalg.eigh``): A = V diag(L) V^T. Only the lower (``UPLO='L'``) or upper
    triangle is read. Eigenvectors are unique only up to sign; their gradients need
    distinct eigenvalues."""
    _check_square("linalg.eigh", A)
    _check_uplo(UPLO)
    return eigh_result(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO: str = "L"):
    """The eigenvalues of a symmetric matrix, ascending (``torch.linalg.eigvalsh``); their
    gradient V diag(gL) V^T exists even when eigenvalues repeat."""
    _check_square("linalg.eigvalsh", A)
    _check_uplo(UPLO)
    return Eigh.apply(A, UPLO)[0]


# -- qr --------------------------------------------------------------------------------------


class Qr(Function):
    """A = Q R with Q's columns orthonormal and R upper triangular."""

    @staticmethod
    def forward(ctx, A, mode):
        B, a = backend(A), A._array
        if mode == "r":  # PyTorch returns an empty Q
            Q, R = B.zeros((0,), dtype=a.dtype), B.qr(a, mode="r")
        else:
            Q, R = B.qr(a, mode=mode)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(Q, R)
        ctx.mode = mode
        return Q, R

    @staticmethod
    def _check_differentiable(ctx, Q, R):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and Q.shape[-2] > R.shape[-1]:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.saved_tensors
        Qr._check_differentiable(ctx, Q, R)
        return qr_backward(gQ, gR, Q, R), None

    @staticmethod
    def jvp(ctx, tA, _):
        Q, R = ctx.saved_tensors
        Qr._check_differentiable(ctx, Q, R)
        m = Q.shape[-2]
        if m >= R.shape[-1]:
            return _qr_jvp_tall(tA, Q, R)
        # A = [X | Y] = Q [U | V]: X = Q U is a square QR, and V = Q^T Y
        dQ, dU = _qr_jvp_tall(tA[..., :m], Q, R[..., :m])
        dV = Q.mT @ (tA[..., m:] - dQ @ R[..., m:])
        return dQ, cat([dU, dV], -1)


def _qr_jvp_tall(dA, Q, R):
    """dQ, dR of A = Q R with R square: C = Q^T dA R^-1 = Omega + dR R^-1, Omega skew."""
    C = Q.mT @ _times_inverse(dA, R)
    lower = tril(C, -1)
    upper = C - lower + lower.mT  # C - Omega: upper triangular
    return _times_inverse(dA, R) - Q @ upper, upper @ R


def qr_backward(gQ, gR, Q, R):
    """PyTorch's ``linalg_qr_backward`` for real matrices: for R square (m >= n),
    gA = [gQ + Q copyltu(M)] R^-T with M = gR R^T - Q^T gQ; for m < n, split A = [X | Y]."""
    m, n = Q.shape[-2], R.shape[-1]
    if m < n:  # X = Q U (square), Y = Q V: V's gradient reaches Q through Y and Y directly
        gU = None if gR is None else gR[..., :m]
        gV = None if gR is None else gR[..., m:]
        if gV is not None:
            Y = Q @ R[..., m:]
            gQ = Y @ gV.mT if gQ is None else gQ + Y @ gV.mT
        gX = qr_backward(gQ, gU, Q, R[..., :m])
        gY = Q @ gV if gV is not None else gX.new_zeros((*gX.shape[:-1], n - m))
        return cat([gX, gY], -1)
    M = 0
    if gR is not None:
        M = gR @ R.mT
    if gQ is not None:
        M = M - Q.mT @ gQ
    M = triu(M)
    gA = Q @ (M + triu(M, 1).mT)  # the upper triangle copied to the lower
    if gQ is not None:
        gA = gA + gQ
    return _times_inverse(gA, R.mT)


_QR_MODES = ("reduced", "complete", "r")


def linalg_qr(A, mode: str = "reduced"):
    """The QR decomposition A = Q R (``torch.linalg.qr``): Q with orthonormal columns, R upper
    triangular. ``mode='reduced'``: Q is m x k, R k x n (k = min(m, n)); ``'complete'``: Q
    is m x m; ``'r'``: only R (Q is empty, and there is no gradient). Differentiable except
    for ``'r'`` and for ``'complete'`` with m > n."""
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_float_matrices("linalg.qr", A)
    return qr_result(*Qr.apply(A, mode))


def qr(input, some: bool = True):
    """``torch.qr``: ``linalg.qr`` with ``some`` for mode 'reduced' (True) or 'complete'."""
    return torch_qr_result(*linalg_qr(input, "reduced" if some else "complete"))


# -- cholesky --------------------------------------------------------------------------------


class Cholesky(Function):
    """A = L L^T with L lower triangular (only A's lower triangle is read)."""

    @staticmethod
    def forward(ctx, A):
        L = backend(A).cholesky(A._array)
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        P = tril(L.mT @ gL)
        P = 0.5 * (P + tril(P, -1).mT)  # symmetric, with half of P's diagonal
        return _times_inverse(solve(L.mT, P), L)  # L^-T P L^-1

    @staticmethod
    def jvp(ctx, tA):
        (L,) = ctx.saved_tensors
        X = _times_inverse(solve(L, tA), L.mT)  # L^-1 dA L^-T
        return L @ (tril(X) - 0.5 * diag_embed(X.diagonal(0, -2, -1)))


def _not_positive_definite(a) -> np.ndarray:
    """For each matrix of the numpy batch ``a``: 0 if it is positive-definite, else the order
    k of its first leading minor a[:k, :k] that is not (found by bisection: the minors of
    order below k all are, those from k on none are)."""
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    for index in np.ndindex(*a.shape[:-2]):
        matrix = a[index]
        lo, hi = 0, matrix.shape[-1] + 1  # minor lo is positive-definite, hi is not
        while hi - lo > 1:
            k = (lo + hi) // 2
            try:
                np.linalg.cholesky(matrix[:k, :k])
                lo = k
            except np.linalg.LinAlgError:
                hi = k
        info[index] = 0 if hi > matrix.shape[-1] else hi
    return info


def _raise_not_positive_definite(name: str, info: np.ndarray) -> None:
    failed = np.flatnonzero(info)
    which = f"(Batch element {failed[0]}): " if info.ndim else ""
    raise LinAlgError(f"{name}: {which}The factorization could not be completed because the "
                      f"input is not positive-definite (the leading minor of order "
                      f"{info.reshape(-1)[failed[0]]} is not positive-definite).")


def _lower(A, upper: bool):
    """The matrix whose lower triangle holds the triangle that is to be read."""
    return A.mT if upper else A


def linalg_cholesky(A, *, upper: bool = False):
    """The Cholesky factor of a symmetric positive-definite matrix (``torch.linalg.cholesky``):
    lower triangular L with A = L L^T, or with ``upper`` U = L^T (A = U^T U), reading only
    that triangle of A. A matrix that is not positive-definite raises ``LinAlgError`` naming
    the first leading minor that is not."""
    return _cholesky("linalg.cholesky", A, upper)


def _cholesky(name: str, A, upper: bool):
    _check_square(name, A)
    try:
        L = Cholesky.apply(_lower(A, upper))
    except backend(A).LinAlgError:
        a = backend(A).to_numpy(_lower(A, upper)._array)
        _raise_not_positive_definite(name, _not_positive_definite(a))
    return L.mT if upper else L


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False):
    """``torch.linalg.cholesky_ex``: the Cholesky factor and ``info``, an int32 tensor per
    matrix: 0 where the factorization succeeded, else the order of the first leading minor
    that is not positive-definite. The L of such a matrix is unspecified (here zeros;
    PyTorch leaves LAPACK's partial result). Raises only with ``check_errors``."""
    _check_square("linalg.cholesky_ex", A)
    lower = _lower(A, upper)
    try:
        L = Cholesky.apply(lower)
        info = np.zeros(A.shape[:-2], dtype=np.int32)
    except backend(A).LinAlgError:
        info = _not_positive_definite(backend(A).to_numpy(lower._array))
        if check_errors:
            _raise_not_positive_definite("linalg.cholesky_ex", info)
        failed = tensor(info != 0, device=A.device).unsqueeze(-1).unsqueeze(-1)
        identity = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        L = Cholesky.apply(where(failed, identity, lower)).masked_fill(failed, 0)
    return cholesky_ex_result(L.mT if upper else L, tensor(info, device=A.device))


def cholesky(input, upper: bool = False):
    """``torch.cholesky`` (deprecated in PyTorch for ``linalg.cholesky``, same result)."""
    return _cholesky("cholesky", input, upper)


__all__ = ["svd", "qr", "cholesky"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
