"""Matrix products: ``matmul`` (``@``) and its special cases ``mm``, ``bmm``, ``mv``, ``dot``.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC: two more matrix products,
which is why a training step costs about three times its forward matmuls. 1-d operands are
treated as a row (left) or column (right) vector, and batch dimensions broadcast.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import backend, check_same_device
from .reduce import sum_to_size


class Matmul(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = a._array, b._array
        check_same_device(x, y)
        if x.ndim == 0 or y.ndim == 0:
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and "
                f"{y.ndim}D"
            )
        if x.dtype != y.dtype:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != "
                f"{b.dtype.name}"
            )
        k1 = x.shape[-1]
        k2 = y.shape[-2] if y.ndim > 1 else y.shape[0]
        if k1 != k2:
            rows = x.shape[-2] if x.ndim > 1 else 1
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k1} and "
                f"{k2}x{y.shape[-1] if y.ndim > 1 else 1})"
            )
        ctx.save_for_backward(a, b)
        return backend(a).matmul(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if a.dim() == 1 and b.dim() == 1:  # dot product: a scalar result
            ga = grad * b if need_a else None
            gb = grad * a if need_b else None
        elif a.dim() == 1:  # (k) @ (..., k, n) -> (..., n)
            if need_a:
                ga = sum_to_size(matmul(grad.unsqueeze(-2), b.mT).squeeze(-2), a.shape)
            if need_b:
                gb = sum_to_size(matmul(a.unsqueeze(-1), grad.unsqueeze(-2)), b.shape)
        elif b.dim() == 1:  # (..., m, k) @ (k) -> (..., m)
            if need_a:
                ga = sum_to_size(matmul(grad.unsqueeze(-1), b.unsqueeze(-2)), a.shape)
            if need_b:
                gb = sum_to_size(matmul(a.mT, grad.unsqueeze(-1)).squeeze(-1), b.shape)
        else:
            ga = sum_to_size(matmul(grad, b.mT), a.shape) if need_a else None
            gb = sum_to_size(matmul(a.mT, grad), b.shape) if need_b else None
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        out = None if ta is None else matmul(ta, b)
        if tb is not None:
            out = matmul(a, tb) if out is None else out + matmul(a, tb)
        return out


def matmul(input, other):
    """Matrix product with broadcasting over batch dimensions (the ``@`` operator)."""
    return Matmul.apply(input, other)


def mm(input, mat2):
    """Product of two matrices (2-d only)."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError("self must be a matrix" if input.dim() != 2 else "mat2 must be a matrix")
    return Matmul.apply(input, mat2)


def bmm(input, mat2):
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p)."""
    if input.dim() != 3 or mat2.dim() != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if input.dim() != 3 else "batch2 must be a 3D tensor"
        )
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    return Matmul.apply(input, mat2)


def mv(input, vec):
    """Matrix-vector product: (n, m) @ (m,) -> (n,)."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {vec.dim()}, {input.dim()}, {vec.dim()}"
        )
    return Matmul.apply(input, vec)


def dot(input, other):
    """Inner product of two 1-d tensors of the same length."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number "
            "of elements, but got {} and {} elements respectively".format(
                input.shape[0], other.shape[0], input.shape[0], other.shape[0])
        )
    return Matmul.apply(input, other)


inner = dot


def _rmatmul(self, other):
    return matmul(other, self)


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "inner"]

TENSOR_METHODS = {
    "matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "inner": dot,
    "__matmul__": matmul, "__rmatmul__": _rmatmul,
}
