"""Matrix functions: ``diagonal``, ``diag``, ``trace``, ``tril``/``triu``, ``flip``, ``outer``,
and linear algebra: ``det``, ``inverse``, ``solve`` (the ``nbtorch.linalg`` namespace uses
these).

The gradients of the linear algebra come from differentiating the defining equations:

* inverse: A A^-1 = I gives d(A^-1) = -A^-1 dA A^-1, so grad_A = -A^-T grad A^-T;
* det: d det(A) = det(A) trace(A^-1 dA), so grad_A = grad det(A) A^-T;
* solve, X = A^-1 B: grad_B = A^-T grad (another solve), grad_A = -grad_B X^T.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import backend, wrap_dim


class LinAlgError(RuntimeError):
    """A linear algebra function failed on its input (e.g. a singular matrix);
    ``nbtorch.linalg.LinAlgError``, a RuntimeError as in PyTorch."""


# -- diagonals and triangles -----------------------------------------------------------------


class Diagonal(Function):
    """The diagonal of the (dim1, dim2) matrices as the last dim: a view."""

    _view_of_input = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x._array.shape, (offset, dim1, dim2)
        return backend(x).diagonal_view(x._array, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, ctx.shape, *ctx.args), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Diagonal.apply(t, *ctx.args)


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``values`` written on a diagonal (the backward of
    ``diagonal``, and ``diag`` of a vector)."""

    @staticmethod
    def forward(ctx, values, shape, offset, dim1, dim2):
        B = backend(values)
        out = B.zeros(shape, dtype=values._array.dtype)
        B.diagonal_view(out, offset, dim1, dim2)[...] = values._array
        ctx.shape, ctx.args = shape, (offset, dim1, dim2)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, *ctx.args), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return DiagonalScatter.apply(t, ctx.shape, *ctx.args)


class _Triangle(Function):
    """``tril``/``triu``: zero the elements above/below a diagonal; the gradient is masked
    the same way."""

    fn = ""

    @classmethod
    def forward(cls, ctx, x, k):
        ctx.k = k
        return getattr(backend(x), cls.fn)(x._array, k)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.apply(grad, ctx.k), None

    @classmethod
    def jvp(cls, ctx, t, _):
        return cls.apply(t, ctx.k)


class Tril(_Triangle):
    fn = "tril"


class Triu(_Triangle):
    fn = "triu"


class Flip(Function):
    """Reverse the order along ``dims`` (a copy); flipping the gradient back undoes it."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return backend(x).flip(x._array, axis=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None

    @staticmethod
    def jvp(ctx, t, _):
        return Flip.apply(t, ctx.dims)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal of a matrix (a view): ``offset`` > 0 is above the main diagonal,
    < 0 below. For more dims, the matrices are taken in (dim1, dim2), the diagonal goes last."""
    n = input._array.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


def diag(input, diagonal: int = 0):
    """A vector -> the square matrix with it on a diagonal; a matrix -> its diagonal (a copy)."""
    a = input._array
    if a.ndim == 1:
        n = a.shape[0] + abs(diagonal)
        return DiagonalScatter.apply(input, (n, n), diagonal, 0, 1)
    if a.ndim == 2:
        return Diagonal.apply(input, diagonal, 0, 1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")


def trace(input):
    """Sum of the main diagonal of a matrix."""
    if input._array.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._array.ndim}")
    return Diagonal.apply(input, 0, 0, 1).sum()


def _check_matrix(name, input):
    if input._array.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions.")


def tril(input, diagonal: int = 0):
    """The lower triangle of each matrix (elements above ``diagonal`` become 0)."""
    _check_matrix("tril", input)
    return Tril.apply(input, diagonal)


def triu(input, diagonal: int = 0):
    """The upper triangle of each matrix (elements below ``diagonal`` become 0)."""
    _check_matrix("triu", input)
    return Triu.apply(input, diagonal)


def flip(input, *order, dims=None):
    """Reverse the order of elements along ``dims`` (an int or a tuple); a copy.
    ``x.flip(0, 1)`` and ``x.flip((0, 1))`` are the same."""
    from .shape import _shape_args

    dims = _shape_args(order, dims)
    n = input._array.ndim
    wrapped = tuple(wrap_dim(d, n) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("dims has duplicates")
    return Flip.apply(input, wrapped if n else ())  # a 0-d tensor: nothing to reverse


def fliplr(input):
    """Flip left-right (dim 1); at least 2-d."""
    if input._array.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    """Flip up-down (dim 0); at least 1-d."""
    if input._array.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def outer(input, vec2):
    """Outer product of two vectors: out[i, j] = input[i] * vec2[j]."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v._array.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{v._array.ndim}-D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def _fill_diagonal(input, fill_value, wrap: bool = False):
    """``input`` with ``fill_value`` on its main diagonal (``x[i, i, ...]``); with ``wrap``,
    a tall matrix's diagonal starts again below each square block (numpy's rule).
    Out of place: ``fill_diagonal_`` is made from it by ``make_inplace``."""
    import numpy as np

    from .._tensor import Tensor

    a = input._array
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(a.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    B = backend(input)
    return input.masked_fill(Tensor._make(B.from_numpy(mask, input.device)), fill_value)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``: a linear layer's ``bias + x @ W.t()`` in
    one call (``input`` broadcasts)."""
    return _scaled_sum(input, mat1.mm(mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)`` for a matrix and a vector."""
    return _scaled_sum(input, mat.mv(vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``: ``addmm`` for a batch of matrices."""
    return _scaled_sum(input, batch1.bmm(batch2), beta, alpha)


def _scaled_sum(input, product, beta, alpha):
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # PyTorch ignores input then, even NaNs in it
        return product + input.new_zeros(()).expand(product.shape)
    return product + (input if beta == 1 else input * beta)


def cross(input, other, dim: int | None = None):
    """The cross product of 3-vectors along ``dim`` (by default the first dim of size 3).

    ``c0 = a1 b2 - a2 b1`` and so on cyclically: rolling the vectors lines the terms up.
    """
    shape = input.shape if input.dim() >= other.dim() else other.shape
    if dim is None:
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. "
                           f"Got {input.shape[dim]} and {other.shape[dim]}")
    return (input.roll(-1, dim) * other.roll(-2, dim)
            - input.roll(-2, dim) * other.roll(-1, dim))


# -- linear algebra --------------------------------------------------------------------------


def _check_square(name, A):
    a = A._array
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if a.dtype.kind != "f":
        from .pointwise import type_name

        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(a)}")


class Inverse(Function):
    @staticmethod
    def forward(ctx, A):
        B = backend(A)
        try:
            out = B.inv(A._array)
        except B.LinAlgError:
            raise LinAlgError("linalg.inv: The input matrix is singular, the inversion could "
                              "not be completed.") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inv,) = ctx.saved_tensors
        return -(inv.mT @ grad @ inv.mT)

    @staticmethod
    def jvp(ctx, t):
        (inv,) = ctx.saved_tensors
        return -(inv @ t @ inv)


class Det(Function):
    @staticmethod
    def forward(ctx, A):
        out = backend(A).det(A._array)
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        A, det = ctx.saved_tensors
        return (grad * det).unsqueeze(-1).unsqueeze(-1) * inverse(A).mT

    @staticmethod
    def jvp(ctx, t):
        A, det = ctx.saved_tensors
        return det * (inverse(A).mT * t).sum((-2, -1))


class Solve(Function):
    """X with A X = B (B a batch of matrices)."""

    @staticmethod
    def forward(ctx, A, Bm):
        B = backend(A)
        a, b = A._array, Bm._array
        try:
            out = B.solve(a, b)
        except B.LinAlgError:
            raise LinAlgError("linalg.solve: The solver failed because the input matrix is "
                              "singular.") from None
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        gB = Solve.apply(A.mT, grad)
        need_A, need_B = ctx.needs_input_grad
        return (-(gB @ X.mT) if need_A else None, gB if need_B else None)

    @staticmethod
    def jvp(ctx, tA, tB):
        A, X = ctx.saved_tensors
        rhs = -(tA @ X) if tA is not None else None
        if tB is not None:
            rhs = tB if rhs is None else rhs + tB
        return Solve.apply(A, rhs)


def inverse(input):
    """The inverse matrix A^-1 (of each matrix in a batch); singular matrices raise
    ``linalg.LinAlgError``."""
    _check_square("linalg.inv", input)
    return Inverse.apply(input)


def det(input):
    """The determinant of a square matrix (or of each in a batch)."""
    _check_square("linalg.det", input)
    return Det.apply(input)


def solve(A, B, *, left: bool = True):
    """X with A X = B, without forming A^-1 (faster and more accurate). ``B`` may be a
    vector (or a batch of vectors) or a batch of matrices."""
    if not left:
        return solve(A.mT, B.mT).mT
    _check_square("linalg.solve", A)
    a, b = A._array, B._array
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{'x'.join(map(str, b.shape))})")
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


__all__ = ["diagonal", "diag", "trace", "tril", "triu", "flip", "fliplr", "flipud", "outer",
           "ger", "inverse", "det", "addmm", "addmv", "baddbmm", "cross"]

ger = outer

TENSOR_METHODS = {name: globals()[name] for name in __all__}
INPLACE_METHODS = {"tril_": tril, "triu_": triu, "addmm_": addmm,
                   "fill_diagonal_": _fill_diagonal}
