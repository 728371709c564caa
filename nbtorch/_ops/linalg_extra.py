"""The rest of ``torch.linalg``, built on the decompositions: ``slogdet``/``logdet``, ``pinv``,
``lstsq``, ``matrix_rank``, ``cond``, ``matrix_power``, ``multi_dot``, ``vecdot``, ``cross``.

Most are compositions of differentiable ops (matrix_power is repeated squaring, multi_dot
picks the cheapest order of matrix products). Two are Functions with PyTorch's own
gradient formulas, because differentiating their SVD would divide by the gaps between
singular values, which are often zero (pinv of a projection) while the function itself is
smooth:

* slogdet: d log|det A| = trace(A^-1 dA), so grad_A = g A^-T (the sign is piecewise constant);
* pinv: PyTorch's ``pinv_backward`` and ``pinv_jvp``, from differentiating the four
  Moore-Penrose equations (Golub and Pereyra, 1973). ``lstsq``'s solution is pinv(A) B, which
  gives it PyTorch's gradients too.

On a cuda tensor the factorizations run on the host (see ``decompositions``).
"""

from __future__ import annotations

import math

import numpy as np

from .._creation import eye
from ..autograd.function import Function
from ._util import backend
from .binary import maximum
from .decompositions import Eigh, Svd, check_float_matrices, svdvals
from .join import stack
from .linalg import LinAlgError, _check_square, cross, inverse
from .pointwise import type_name, where
from .reduce import return_type

slogdet_result = return_type("linalg_slogdet", ("sign", "logabsdet"))
lstsq_result = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


# -- slogdet, logdet -------------------------------------------------------------------------


class SlogDet(Function):
    """sign(det A) and log|det A| without forming det A (which overflows for large
    matrices); the sign gets no gradient."""

    @staticmethod
    def forward(ctx, A):
        sign, logabsdet = backend(A).slogdet(A._array)
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(A)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, _, grad):
        (A,) = ctx.saved_tensors
        return grad.unsqueeze(-1).unsqueeze(-1) * inverse(A).mT

    @staticmethod
    def jvp(ctx, tA):
        (A,) = ctx.saved_tensors
        return None, (inverse(A).mT * tA).sum((-2, -1))


def slogdet(A):
    """``(sign, logabsdet)`` with det A = sign * exp(logabsdet) (``torch.linalg.slogdet``):
    usable where det itself would overflow or underflow. A singular matrix gives (0, -inf)."""
    _check_square("linalg.slogdet", A)
    return slogdet_result(*SlogDet.apply(A))


def logdet(input):
    """log(det A): NaN when det A < 0, -inf when A is singular (``torch.logdet``)."""
    _check_square("logdet", input)
    sign, logabsdet = SlogDet.apply(input)
    return where(sign < 0, math.nan, logabsdet)


# -- tolerances, pinv, matrix_rank -----------------------------------------------------------


def _tolerance(largest, atol, rtol, shape):
    """max(atol, rtol * largest singular value): singular values at or below it count as 0.
    PyTorch's defaults: without ``rtol``, rtol = eps * max(m, n), or 0 where atol > 0."""
    default_rtol = np.finfo(largest._array.dtype).eps * max(shape[-2:])
    if atol is None:
        atol = 0.0
    if rtol is None:
        if hasattr(atol, "_array"):
            rtol = where(atol > 0, 0.0, default_rtol)
        else:
            rtol = 0.0 if atol > 0 else default_rtol
    if not hasattr(atol, "_array"):
        atol = largest.new_tensor(atol)
    return maximum(rtol * largest, atol.to(largest.dtype))


def _kept(magnitude, atol, rtol, shape):
    """A mask of the singular values (``magnitude``, descending or not) above the tolerance."""
    largest = magnitude.amax(-1) if magnitude.shape[-1] else magnitude.sum(-1)
    return magnitude > _tolerance(largest, atol, rtol, shape).unsqueeze(-1)


def _check_pinv_input(A) -> None:
    a = A._array
    if a.ndim < 2 or a.dtype.kind != "f":
        raise RuntimeError(f"linalg.pinv({type_name(a)}{{{list(a.shape)}}}): expected a tensor "
                           "with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")


class Pinv(Function):
    """The pseudo-inverse, computed (without recording) from the SVD, or from ``eigh`` for a
    symmetric A; the gradient is PyTorch's (``pinv_backward``, ``pinv_jvp``)."""

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        if hermitian:  # A = V diag(L) V^T: the singular values are |L|
            values, V = Eigh.apply(A, "L")
            kept = _kept(values.abs(), atol, rtol, A.shape)
            left, right = V, V.mT
        else:  # A = U diag(S) Vh, pinv(A) = V diag(1/S) U^T
            U, values, Vh = Svd.apply(A, False)
            kept = _kept(values, atol, rtol, A.shape)
            left, right = Vh.mT, U.mT
        inverted = where(kept, 1 / where(kept, values, 1.0), 0.0)  # 1/s, or 0 for s ~ 0
        P = (left * inverted.unsqueeze(-2)) @ right
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx, grad):
        A, P = ctx.saved_tensors
        m, n = A.shape[-2:]
        Pt, gt = P.mT, grad.mT
        if m <= n:
            K = gt @ P
            KPt = K @ Pt
            gA = -(P @ K).mT + KPt - (A @ P) @ KPt + (Pt @ P) @ (gt - K @ A)
        else:
            K = P @ gt
            PtK = Pt @ K
            gA = -(K @ P).mT + (gt - A @ K) @ P @ Pt + PtK - PtK @ P @ A
        return gA, None, None, None

    @staticmethod
    def jvp(ctx, tA, *_):
        A, P = ctx.saved_tensors
        m, n = A.shape[-2:]
        dAt, Pt = tA.mT, P.mT
        if m <= n:
            K = Pt @ dAt
            return P @ (K - K.mT - K @ (A @ P)) + (dAt - P @ (A @ dAt)) @ (Pt @ P)
        K = P @ tA
        Kt = K.mT
        return (Kt - K - P @ A @ Kt) @ P + (P @ Pt) @ (dAt - (dAt @ A) @ P)


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False):
    """The Moore-Penrose pseudo-inverse (``torch.linalg.pinv``): V diag(1/s) U^T over the
    singular values s above max(atol, rtol * s_max) (the others count as 0). For a full-rank
    square A it is A^-1; for a tall A, pinv(A) b is the least-squares solution.
    ``hermitian=True`` reads only A's lower triangle and uses ``eigh``. ``atol``/``rtol``
    may be numbers or tensors (broadcast over the batch)."""
    _check_pinv_input(A)
    return Pinv.apply(A, atol, rtol, hermitian)


def pinverse(input, rcond: float = 1e-15):
    """``torch.pinverse``: ``linalg.pinv`` with singular values below rcond * s_max cut."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False):
    """The numerical rank (``torch.linalg.matrix_rank``): how many singular values are above
    max(atol, rtol * s_max), with ``pinv``'s defaults. An int64 tensor per matrix."""
    check_float_matrices("linalg.matrix_rank", A)
    A = A.detach()
    magnitude = Eigh.apply(A, "L")[0].abs() if hermitian else svdvals(A)
    return _kept(magnitude, atol, rtol, A.shape).sum(-1)


# -- lstsq -----------------------------------------------------------------------------------

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _check_lstsq(A, B, driver) -> None:
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.dim() < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {type_name(A._array)} and other's "
                           f"dtype {type_name(B._array)}")
    if not A.is_floating_point():
        raise RuntimeError("This function doesn't handle types other than float and double")
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")


def lstsq(A, B, rcond: float | None = None, *, driver: str | None = None):
    """The least-squares solution X of A X = B, minimizing ||A X - B|| (and ||X|| among the
    minimizers): ``torch.linalg.lstsq``. Returns ``(solution, residuals, rank,
    singular_values)``, filled like PyTorch's CPU drivers: rank for 'gelsy' (the default),
    'gelsd' and 'gelss'; singular values for 'gelsd' and 'gelss'; residuals (the squared
    column norms of A X - B) for 'gels', 'gelsd' and 'gelss' when m > n and A has full
    rank; the rest are empty tensors. Singular values at or below rcond * s_max (default
    eps * max(m, n)) count as zero.

    Every driver computes X = pinv(A) B here (from the SVD); its gradient is PyTorch's."""
    driver = "gelsy" if driver is None else driver
    _check_lstsq(A, B, driver)
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    if A.shape[-2] != Bm.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    rcond = np.finfo(A._array.dtype).eps * max(m, n) if rcond is None else rcond
    X = pinv(A, rtol=rcond) @ Bm
    S = svdvals(A.detach())
    full_rank = S.shape[-1] > 0 and bool((S > rcond * S[..., :1]).all())
    empty = A.new_zeros((0,))
    rank = (S > rcond * S[..., :1]).sum(-1) if driver != "gels" else empty.long()
    residuals = empty
    if driver != "gelsy" and m > n and (full_rank or driver == "gels"):
        residuals = ((A.detach() @ X.detach() - Bm.detach()) ** 2).sum(-2)
    singular_values = S if driver in ("gelsd", "gelss") else empty
    return lstsq_result(X.squeeze(-1) if vector else X, residuals, rank, singular_values)


# -- cond ------------------------------------------------------------------------------------

_NORM_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1)


def cond(A, p=None):
    """The condition number (``torch.linalg.cond``): how much A can stretch relative errors.
    For p = None or 2 it is s_max / s_min (-2: s_min / s_max), from the singular values, for
    any (batch of) matrices; for p in ('fro', 'nuc', inf, -inf, 1, -1) it is
    norm(A, p) * norm(A^-1, p), for square matrices. A singular matrix gives inf."""
    from .. import linalg

    if p is None or p in (2, -2):
        S = svdvals(A)
        with np.errstate(divide="ignore"):  # s_min = 0: inf
            return S[..., 0] / S[..., -1] if p != -2 else S[..., -1] / S[..., 0]
    if p not in _NORM_ORDS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _check_square(f"linalg.cond(ord={p})", A)
    try:
        A_inv = inverse(A)
    except LinAlgError:  # some matrix is singular: take them one at a time
        if A.dim() == 2:
            return A.new_tensor(math.inf)
        return stack([cond(a, p) for a in A.flatten(0, -3).unbind()]).reshape(A.shape[:-2])
    return linalg.matrix_norm(A, p) * linalg.matrix_norm(A_inv, p)


# -- matrix_power, multi_dot, vecdot, cross ----------------------------------------------------


def matrix_power(A, n: int):
    """A multiplied by itself n times (``torch.linalg.matrix_power``), by repeated squaring:
    A^13 = A^8 A^4 A^1 takes 5 products, not 12. n = 0 gives the identity, n < 0 the power
    of A^-1."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if n == 0:
        return eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape).clone()
    if n < 0:
        A, n = inverse(A), -n
    result, square = None, A
    while True:
        if n & 1:
            result = square if result is None else result @ square
        n >>= 1
        if not n:
            return result.clone() if result is A else result
        square = square @ square


def _chain_order(dims):
    """The cheapest way to bracket a chain of matrix products, by dynamic programming:
    matrix i is dims[i] x dims[i + 1]; split[i][j] is where the product of i..j splits."""
    count = len(dims) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(2, count + 1):
        for i in range(count - length + 1):
            j = i + length - 1
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                for k in range(i, j))
    return split


def multi_dot(tensors):
    """The product of a chain of matrices in the cheapest order (``torch.linalg.multi_dot``):
    (A B) C and A (B C) are equal, but their costs can differ by orders of magnitude. The
    first and last may be vectors (a row and a column); the others must be matrices."""
    tensors = list(tensors)
    count = len(tensors)
    if count < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {count}")
    for i, t in enumerate(tensors):
        which = {0: "the first tensor", count - 1: "the last tensor"}.get(i, f"tensor {i}")
        allowed = (1, 2) if i in (0, count - 1) else (2,)
        if t.dim() not in allowed:
            rule = "1D or 2D" if len(allowed) == 2 else "2D"
            raise RuntimeError(f"multi_dot(): {which} must be {rule} but got {t.dim()}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {type_name(tensors[0]._array).lower()} and "
                               f"tensor {i} {type_name(t._array).lower()}")
    row, column = tensors[0].dim() == 1, tensors[-1].dim() == 1
    mats = [tensors[0].unsqueeze(0) if row else tensors[0], *tensors[1:-1],
            tensors[-1].unsqueeze(-1) if column else tensors[-1]]
    for i in range(count - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(mats[i].shape)} and {list(mats[i + 1].shape)} cannot "
                               "be multiplied")
    split = _chain_order([t.shape[0] for t in mats] + [mats[-1].shape[1]])

    def product(i, j):
        if i == j:
            return mats[i]
        return product(i, split[i][j]) @ product(split[i][j] + 1, j)

    out = product(0, count - 1)
    if row:
        out = out.squeeze(0)
    return out.squeeze(-1) if column else out


def vecdot(x, y, *, dim: int = -1):
    """The dot product of vectors along ``dim`` (``torch.linalg.vecdot``), broadcasting the
    other dims: sum(x * y, dim)."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but "
                           f"found x of type {type_name(x._array)} and y of type "
                           f"{type_name(y._array)} instead")
    if not x.is_floating_point():
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {type_name(x._array)}")
    return (x * y).sum(dim)


def linalg_cross(input, other, *, dim: int = -1):
    """The cross product of 3-vectors along ``dim`` (``torch.linalg.cross``; the other dims
    broadcast)."""
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    return cross(input, other, dim)


__all__ = ["logdet", "slogdet", "pinverse", "matrix_power"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
